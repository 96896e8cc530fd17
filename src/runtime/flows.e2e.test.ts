// Issue 8, point 6: a flow imported from an export document runs end to end through the API, the
// job queue, the EX channel (a fake provider on 127.0.0.1) and its receive URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, type TestWorkspace } from '../testing/api.ts';
import { waitUntil, openMessagingWorld, closeMessagingWorld, sentTexts, exReceive, type MessagingWorld } from '../testing/msgs.ts';
import type { FakeProvider } from '../channels/testing.ts';
import { importDefinitions } from '../models/definitions.ts';

const n = () => randomUUID();
const cat = (name: string) => ({ uuid: n(), name, exit_uuid: n() });

/** Name, then favourite colour (spec 13.0.0: migrated on import). */
function twoQuestions(uuid: string) {
  const [q1, w1, q2, w2, done] = [n(), n(), n(), n(), n()];
  const all = cat('All Responses');
  const [red, blue, other] = [cat('Red'), cat('Blue'), cat('Other')];
  return {
    uuid, name: 'Two Questions', spec_version: '13.0.0', language: 'eng', type: 'messaging', expire_after_minutes: 60, localization: {},
    nodes: [
      { uuid: q1, actions: [{ uuid: n(), type: 'send_msg', text: 'What is your name?' }], exits: [{ uuid: n(), destination_uuid: w1 }] },
      { uuid: w1, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Name', default_category_uuid: all.uuid, wait: { type: 'msg' }, cases: [], categories: [all] },
        exits: [{ uuid: all.exit_uuid, destination_uuid: q2 }] },
      { uuid: q2, actions: [{ uuid: n(), type: 'send_msg', text: 'Thanks @results.name, favourite colour?' }], exits: [{ uuid: n(), destination_uuid: w2 }] },
      { uuid: w2, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Color', default_category_uuid: other.uuid, wait: { type: 'msg' },
          cases: [{ uuid: n(), type: 'has_any_word', arguments: ['red'], category_uuid: red.uuid }, { uuid: n(), type: 'has_any_word', arguments: ['blue'], category_uuid: blue.uuid }],
          categories: [red, blue, other] },
        exits: [red, blue, other].map((c) => ({ uuid: c.exit_uuid, destination_uuid: done })) },
      { uuid: done, actions: [{ uuid: n(), type: 'send_msg', text: '@results.color.category it is!' }], exits: [{ uuid: n() }] },
    ],
  };
}

/** A question with a timeout (1 second); on timeout it asks again and waits with no timeout (until the run expires). */
function impatient(uuid: string, seconds = 1) {
  const [q, w, again, w2] = [n(), n(), n(), n()];
  const [all, none, all2] = [cat('All Responses'), cat('No Response'), cat('All Responses')];
  return {
    uuid, name: `Impatient ${seconds}`, spec_version: '13.0.0', language: 'eng', type: 'messaging', expire_after_minutes: 5, localization: {},
    nodes: [
      { uuid: q, actions: [{ uuid: n(), type: 'send_msg', text: 'Quick, yes or no?' }], exits: [{ uuid: n(), destination_uuid: w }] },
      { uuid: w, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Answer', default_category_uuid: all.uuid,
          wait: { type: 'msg', timeout: { seconds, category_uuid: none.uuid } }, cases: [], categories: [all, none] },
        exits: [{ uuid: all.exit_uuid }, { uuid: none.exit_uuid, destination_uuid: again }] },
      { uuid: again, actions: [{ uuid: n(), type: 'send_msg', text: 'Still there?' }], exits: [{ uuid: n(), destination_uuid: w2 }] },
      { uuid: w2, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Second', default_category_uuid: all2.uuid, wait: { type: 'msg' }, cases: [], categories: [all2] },
        exits: [{ uuid: all2.exit_uuid }] },
    ],
  };
}

forEachDatabase('flows end to end: import, API start, EX channel replies, timeouts and expiry', (db) => {
  let world: MessagingWorld | undefined;
  let m: MessagingWorld['m'], ws: TestWorkspace, other: TestWorkspace, api: ApiClient, fake: FakeProvider, channelUuid: string;
  const flowUuid = randomUUID();
  const impatientUuid = randomUUID();
  const patientUuid = randomUUID();
  before(async () => {
    world = await openMessagingWorld(db());
    ({ m, ws, other, api, fake, channelUuid } = world);
    const summary = await importDefinitions(db().db, ws.workspace, { version: '13', site: 'https://app.rapidpro.io', flows: [twoQuestions(flowUuid), impatient(impatientUuid), impatient(patientUuid, 300)], campaigns: [], triggers: [], fields: [], groups: [] }, async () => {});
    assert.deepEqual(summary.flows.map((f) => f.created), [true, true, true]);
  });
  after(() => closeMessagingWorld(world));

  const sentTo = (to: string) => sentTexts(fake, to);
  const reply = (from: string, text: string) => exReceive(m.app, channelUuid, from, text);
  const startThroughApi = async (flow: string, name: string, phone: string) => {
    const contact = (await api.post('/api/v2/contacts.json', { name, urns: [`tel:${phone}`] })).json();
    const res = await api.post('/api/v2/flow_starts.json', { flow, contacts: [contact.uuid] });
    assert.equal(res.statusCode, 201, res.body);
    return { contact, start: res.json() };
  };
  const runOf = async (contactUuid: string) => (await api.get(`/api/v2/runs.json?contact=${contactUuid}`)).json().results[0];

  test('start through the API, answer through the EX receive URL: run completed with both values, replies in messages', async () => {
    const phone = '+250788600001';
    const { contact, start } = await startThroughApi(flowUuid, 'Eric', phone);
    await waitUntil(() => sentTo(phone).length === 1, 20_000, 'the first question sent');
    assert.deepEqual(sentTo(phone), ['What is your name?']);
    assert.equal(fake.requests.at(-1)!.form.get('channel'), channelUuid);
    // while waiting the contact is in the flow
    assert.deepEqual((await api.get(`/api/v2/contacts.json?uuid=${contact.uuid}`)).json().results[0].flow, { uuid: flowUuid, name: 'Two Questions' });
    assert.equal((await runOf(contact.uuid)).exit_type, null);

    await reply(phone, 'Eric');
    await waitUntil(() => sentTo(phone).length === 2, 20_000, 'the second question sent');
    assert.equal(sentTo(phone)[1], 'Thanks Eric, favourite colour?');
    await reply(phone, 'I like BLUE');
    await waitUntil(() => sentTo(phone).length === 3, 20_000, 'the closing message sent');
    assert.equal(sentTo(phone)[2], 'Blue it is!');

    const run = await runOf(contact.uuid);
    assert.equal(run.flow.uuid, flowUuid);
    assert.equal(run.start.uuid, start.uuid);
    assert.equal(run.responded, true);
    assert.equal(run.exit_type, 'completed');
    assert.ok(run.exited_on);
    assert.equal(run.values.name.value, 'Eric');
    assert.equal(run.values.name.category, 'All Responses');
    assert.equal(run.values.color.value, 'BLUE', 'has_any_word keeps the matched word');
    assert.equal(run.values.color.category, 'Blue');
    assert.equal(run.path.length, 5);
    assert.equal((await api.get(`/api/v2/contacts.json?uuid=${contact.uuid}`)).json().results[0].flow, null);

    const msgs = (await api.get(`/api/v2/messages.json?contact=${contact.uuid}`)).json().results.reverse();
    assert.deepEqual(msgs.map((x: any) => [x.direction, x.text]), [
      ['out', 'What is your name?'], ['in', 'Eric'], ['out', 'Thanks Eric, favourite colour?'], ['in', 'I like BLUE'], ['out', 'Blue it is!'],
    ]);
    assert.ok(msgs.every((x: any) => x.flow?.uuid === flowUuid), 'every message belongs to the flow');
    // the provider has every message; the sender writes outcomes a round trip later
    const outgoingSent = async () =>
      (await api.get(`/api/v2/messages.json?contact=${contact.uuid}`)).json().results
        .filter((x: any) => x.direction === 'out').every((x: any) => ['wired', 'sent', 'delivered'].includes(x.status));
    await waitUntil(outgoingSent, 20_000, 'every outgoing message wired');
    await waitUntil(async () => (await api.get(`/api/v2/flow_starts.json?uuid=${start.uuid}`)).json().results[0].status === 'completed', 20_000, 'start completed');
    // another workspace sees none of it
    assert.deepEqual((await api.as(other.admin.token).get(`/api/v2/runs.json?flow=${flowUuid}`)).json().results, []);
  });

  test('a wait times out counting from when its question was sent, as courier does', async () => {
    const phone = '+250788600003';
    const { contact } = await startThroughApi(patientUuid, 'Patient', phone);
    const contactId = (await db().db.selectFrom('contacts').select('id').where('uuid', '=', contact.uuid).executeTakeFirstOrThrow()).id;
    const question = () => db().db.selectFrom('msgs').select(['uuid', 'status', sql<string>`extract(epoch from sent_on)::text`.as('sent'), sql<string>`extract(epoch from created_on)::text`.as('created')])
      .where('contact_id', '=', contactId).where('direction', '=', 'O').executeTakeFirst();
    await waitUntil(async () => (await question())?.sent != null, 20_000, 'the question marked sent');
    const q = (await question())!;
    const s = await db().db.selectFrom('flow_sessions').select(['wait_msg_uuid', 'wait_timeout_seconds', sql<string>`extract(epoch from timeout_on)::text`.as('timeout')])
      .where('contact_id', '=', contactId).where('status', '=', 'W').executeTakeFirstOrThrow();
    assert.equal(s.wait_msg_uuid, q.uuid);
    assert.equal(s.wait_timeout_seconds, 300);
    // moved in the statement that marked the question sent: exactly 300 s after it, not after the sprint
    assert.ok(Math.abs(Number(s.timeout) - (Number(q.sent) + 300)) < 0.005, `timeout ${s.timeout} vs sent ${q.sent} + 300`);
    assert.ok(Number(q.sent) > Number(q.created));
  });

  test('the wait times out on time, then the run expires', async () => {
    const phone = '+250788600002';
    const { contact } = await startThroughApi(impatientUuid, 'Slow', phone);
    await waitUntil(() => sentTo(phone).length === 2, 20_000, 'the timeout message sent');
    assert.deepEqual(sentTo(phone), ['Quick, yes or no?', 'Still there?']);
    let run = await runOf(contact.uuid);
    assert.equal(run.exit_type, null);
    assert.equal(run.values.answer.category, 'No Response');
    assert.equal(run.responded, false);

    // the session row says when it expires (the flow's 5 minutes); bring it forward as if the time had come
    const session = await db().db.selectFrom('flow_sessions').select(['id', sql<number>`extract(epoch from wait_expires_on)`.as('expires_epoch')]).where('contact_id', '=', (await db().db.selectFrom('contacts').select('id').where('uuid', '=', contact.uuid).executeTakeFirstOrThrow()).id)
      .where('status', '=', 'W').executeTakeFirstOrThrow();
    const inMinutes = (Number(session.expires_epoch) * 1000 - Date.now()) / 60_000;
    assert.ok(inMinutes > 4 && inMinutes <= 5, `expires in ${inMinutes} minutes`);
    await db().db.updateTable('flow_sessions').set({ wait_expires_on: new Date(Date.now() + 300) }).where('id', '=', session.id).execute();
    await waitUntil(async () => (await runOf(contact.uuid)).exit_type === 'expired', 20_000, 'the run expired');
    run = await runOf(contact.uuid);
    assert.ok(run.exited_on);
    assert.equal((await api.get(`/api/v2/contacts.json?uuid=${contact.uuid}`)).json().results[0].flow, null);
    // a reply now goes to the inbox, not the flow
    await reply(phone, 'yes');
    const latest = (await api.get(`/api/v2/messages.json?contact=${contact.uuid}`)).json().results[0];
    assert.deepEqual([latest.direction, latest.text, latest.flow], ['in', 'yes', null]);
    assert.equal(sentTo(phone).length, 2);
  });
});
