import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachDatabase } from '../testing/databases.ts';
import { createWorkspace, type Workspace } from '../models/workspaces.ts';
import { createContact } from '../models/contacts.ts';
import { toUrn } from '../models/urns.ts';
import { saveFlow } from '../models/flows.ts';
import { startFlow, resumeWithMessage, resumeWait } from './runner.ts';
import type { MessageSink } from './events.ts';

/** Two questions: name (saved to the contact) then favourite colour, each a msg wait. */
function twoQuestions(uuid: string) {
  const n = () => randomUUID();
  const [q1, w1, q2, w2, done] = [n(), n(), n(), n(), n()];
  const cat = (name: string) => ({ uuid: n(), name, exit_uuid: n() });
  const nameOther = cat('All Responses');
  const red = cat('Red');
  const blue = cat('Blue');
  const other = cat('Other');
  return {
    uuid, name: 'Two Questions', spec_version: '14.4.2', language: 'eng', type: 'messaging', expire_after_minutes: 60, localization: {},
    nodes: [
      { uuid: q1, actions: [{ uuid: n(), type: 'send_msg', text: 'What is your name?' }], exits: [{ uuid: n(), destination_uuid: w1 }] },
      { uuid: w1, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Name', default_category_uuid: nameOther.uuid, wait: { type: 'msg' }, cases: [], categories: [nameOther] },
        exits: [{ uuid: nameOther.exit_uuid, destination_uuid: q2 }] },
      { uuid: q2, actions: [{ uuid: n(), type: 'set_contact_name', name: '@results.name' }, { uuid: n(), type: 'send_msg', text: 'Thanks @contact.first_name, favourite colour?' }], exits: [{ uuid: n(), destination_uuid: w2 }] },
      { uuid: w2, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Color', default_category_uuid: other.uuid, wait: { type: 'msg' },
          cases: [{ uuid: n(), type: 'has_any_word', arguments: ['red'], category_uuid: red.uuid }, { uuid: n(), type: 'has_any_word', arguments: ['blue'], category_uuid: blue.uuid }],
          categories: [red, blue, other] },
        exits: [{ uuid: red.exit_uuid, destination_uuid: done }, { uuid: blue.exit_uuid, destination_uuid: done }, { uuid: other.exit_uuid, destination_uuid: done }] },
      { uuid: done, actions: [{ uuid: n(), type: 'send_msg', text: '@results.color.category it is!' }], exits: [{ uuid: n() }] },
    ],
  };
}

forEachDatabase('runtime: flows against the database', (db) => {
  let ws: Workspace;
  const sent: { contactId: number; text: string }[] = [];
  const sink: MessageSink = {
    async queueFlowMessages(_tx, _ws, contactId, events) {
      for (const e of events) if (e.type === 'msg_created') sent.push({ contactId, text: e.msg.text });
    },
  };
  const flowUuid = randomUUID();
  before(async () => {
    ws = await createWorkspace(db().db, { name: 'Runtime', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
    await db().db.transaction().execute((tx) => saveFlow(tx, ws.id, twoQuestions(flowUuid)));
  });

  const newContact = (phone: string) =>
    db().db.transaction().execute((tx) => createContact(tx, ws, null, { urns: [toUrn(`tel:${phone}`)] }));
  const runOf = (contactId: number) =>
    db().db.selectFrom('flow_runs').selectAll().where('contact_id', '=', contactId).orderBy('id', 'desc').executeTakeFirstOrThrow();

  test('start waits for a reply; replies resume the session to completion', async () => {
    const c = await newContact('+250788000001');
    assert.deepEqual(await startFlow({ db: db().db, sink }, ws, flowUuid, [c.id]), [c.id]);
    assert.deepEqual(sent.filter((s) => s.contactId === c.id).map((s) => s.text), ['What is your name?']);
    let run = await runOf(c.id);
    assert.equal(run.status, 'W');
    const session = await db().db.selectFrom('flow_sessions').selectAll().where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    assert.equal(session.status, 'W');
    assert.ok(session.wait_expires_on, 'expiry scheduled');
    const contact = await db().db.selectFrom('contacts').select(['current_flow_id', 'name']).where('id', '=', c.id).executeTakeFirstOrThrow();
    assert.ok(contact.current_flow_id);

    const msg = (text: string) => ({ uuid: randomUUID(), text, urn: 'tel:+250788000001', createdOn: new Date().toISOString() });
    assert.equal(await resumeWithMessage({ db: db().db, sink }, ws, c.id, msg('Eric Kagame')), true);
    assert.equal((await db().db.selectFrom('contacts').select('name').where('id', '=', c.id).executeTakeFirstOrThrow()).name, 'Eric Kagame');
    assert.equal(await resumeWithMessage({ db: db().db, sink }, ws, c.id, msg('I like BLUE')), true);
    run = await runOf(c.id);
    assert.equal(run.status, 'C');
    assert.equal(run.responded, true);
    assert.equal(run.results.name.value, 'Eric Kagame');
    assert.equal(run.results.color.category, 'Blue');
    assert.ok(run.path.length >= 5);
    assert.deepEqual(sent.filter((s) => s.contactId === c.id).map((s) => s.text), ['What is your name?', 'Thanks Eric, favourite colour?', 'Blue it is!']);
    assert.equal((await db().db.selectFrom('contacts').select('current_flow_id').where('id', '=', c.id).executeTakeFirstOrThrow()).current_flow_id, null);
    // nothing waits any more
    assert.equal(await resumeWithMessage({ db: db().db, sink }, ws, c.id, msg('hello?')), false);
  });

  test('an expired wait ends the run as expired; starting again interrupts the old session', async () => {
    const c = await newContact('+250788000002');
    await startFlow({ db: db().db, sink }, ws, flowUuid, [c.id]);
    const first = await runOf(c.id);
    await startFlow({ db: db().db, sink }, ws, flowUuid, [c.id]);
    assert.equal((await db().db.selectFrom('flow_runs').select('status').where('id', '=', first.id).executeTakeFirstOrThrow()).status, 'I');
    assert.equal(await resumeWait({ db: db().db, sink }, ws, c.id, 'expiration'), true);
    assert.equal((await runOf(c.id)).status, 'X');
    // exclude_active leaves contacts in a flow alone
    await startFlow({ db: db().db, sink }, ws, flowUuid, [c.id]);
    assert.deepEqual(await startFlow({ db: db().db, sink }, ws, flowUuid, [c.id], { excludeActive: true }), []);
  });
});
