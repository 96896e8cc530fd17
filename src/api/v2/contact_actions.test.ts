import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, type TestWorkspace } from '../../testing/api.ts';
import { ARCHIVE_MESSAGES_IMPLEMENTED, INTERRUPT_ENDS_RUNS } from '../../models/contacts.ts';
import { countQueries, makeFlow, makeGroup, msg, seedContacts, waitIn } from '../../testing/contacts.ts';

const ENDPOINT = '/api/v2/contact_actions.json';
const CONTACTS = '/api/v2/contacts.json';

forEachDatabase('contact_actions endpoint', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  let testers: { id: number; uuid: string };
  let smart: { id: number; uuid: string };
  let theirGroup: { id: number; uuid: string };
  const c: Record<string, any> = {};

  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    testers = await makeGroup(db().db, ws.workspace.id, 'Testers');
    smart = await makeGroup(db().db, ws.workspace.id, 'Developers', 'isdeveloper = YES');
    theirGroup = await makeGroup(db().db, other.workspace.id, 'Testers');
    for (const [i, name] of ['Ann', 'Bob', 'Cat', 'Don', 'Eve'].entries()) {
      const r = await api.post(CONTACTS, { name, urns: [`tel:+25078800000${i + 1}`] });
      assert.equal(r.statusCode, 201, r.body);
      c[name] = r.json();
    }
    c.Theirs = (await api.as(other.admin.token).post(CONTACTS, { name: 'Theirs', urns: ['tel:+250788000009'] })).json();
    await api.post(ENDPOINT, { contacts: [c.Don.uuid], action: 'block' });
    assert.equal((await api.delete(`${CONTACTS}?uuid=${c.Eve.uuid}`)).statusCode, 204);
  });
  after(async () => app?.close());

  const post = (body: unknown, client = api) => client.post(ENDPOINT, body);
  const members = async (groupId: number) =>
    (
      await db()
        .db.selectFrom('contact_groups_contacts as gc')
        .innerJoin('contacts as c', 'c.id', 'gc.contact_id')
        .select('c.name')
        .where('gc.group_id', '=', groupId)
        .orderBy('c.name')
        .execute()
    ).map((r) => r.name);
  const contactIds = async (uuids: string[]) =>
    (await db().db.selectFrom('contacts').select(['id', 'uuid']).where('uuid', 'in', uuids).execute()).sort((a, b) => uuids.indexOf(a.uuid) - uuids.indexOf(b.uuid)).map((r) => r.id);
  const statusOf = async (uuid: string) => (await api.get(`${CONTACTS}?uuid=${uuid}`)).json().results[0];

  test('validation messages', async () => {
    const cases: [unknown, unknown][] = [
      [{ contacts: Array.from({ length: 101 }, (_, i) => String(i)), action: 'add', group: 'Testers' }, { contacts: ['Ensure this field has no more than 100 elements.'] }],
      [{ contacts: [c.Ann.uuid, 'tel:+250788000002', c.Eve.uuid], action: 'add', group: 'Testers' }, { contacts: [`No such object: ${c.Eve.uuid}`] }],
      [{ contacts: [c.Theirs.uuid], action: 'block' }, { contacts: [`No such object: ${c.Theirs.uuid}`] }],
      [{ contacts: ['tel:0788000001'], action: 'block' }, { contacts: ['No such object: tel:0788000001'] }], // references need E.164
      [{ contacts: [c.Ann.uuid.toUpperCase()], action: 'block' }, { contacts: [`No such object: ${c.Ann.uuid.toUpperCase()}`] }],
      [{ contacts: [12345, 'garbage', 'x\u0000'], action: 'block' }, { contacts: ['No such object: 12345'] }],
      [{ contacts: [{}], action: 'block' }, { contacts: ['Must be a string or integer'] }],
      [{ contacts: c.Ann.uuid, action: 'block' }, { contacts: ['Expected a list of items but got type "str".'] }],
      [{ contacts: null, action: 'block' }, { contacts: ['This field may not be null.'] }],
      [{ action: 'block' }, { contacts: ['This field is required.'] }],
      [{ contacts: [c.Ann.uuid] }, { action: ['This field is required.'] }],
      [{ contacts: [], action: 'block' }, { contacts: ["Contacts can't be empty."] }],
      [{ contacts: [c.Ann.uuid], action: 'like' }, { action: ['"like" is not a valid choice.'] }],
      [{ contacts: [c.Ann.uuid], action: null }, { action: ['This field may not be null.'] }],
      [{ contacts: [c.Ann.uuid], action: 'add' }, { non_field_errors: ['For action "add" you should also specify a group'] }],
      [{ contacts: [c.Ann.uuid], action: 'remove' }, { non_field_errors: ['For action "remove" you should also specify a group'] }],
      [{ contacts: [c.Ann.uuid], action: 'block', group: 'Testers' }, { non_field_errors: ['For action "block" you should not specify a group'] }],
      [{ contacts: [c.Ann.uuid], action: 'add', group: '' }, { group: ['This field may not be null.'] }],
      [{ contacts: [c.Ann.uuid], action: 'add', group: null }, { group: ['This field may not be null.'] }],
      [{ contacts: [c.Ann.uuid], action: 'add', group: ['Testers'] }, { group: ['Must be a string or integer'] }],
      [{ contacts: [c.Ann.uuid], action: 'add', group: 'Spammers' }, { group: ['No such object: Spammers'] }],
      [{ contacts: [c.Ann.uuid], action: 'add', group: 'Developers' }, { group: ['Contact group must not be query based: Developers'] }],
      [{ contacts: [c.Ann.uuid], action: 'add', group: theirGroup.uuid }, { group: [`No such object: ${theirGroup.uuid}`] }],
      [{ contacts: [c.Ann.uuid], action: 'add', group: '15611256-95b5-46d5-b857-abafe0d32fe9' }, { group: ['No such object: 15611256-95b5-46d5-b857-abafe0d32fe9'] }],
      [{ contacts: [c.Ann.uuid, c.Don.uuid], action: 'add', group: 'Testers' }, { non_field_errors: [`Non-active contacts cannot be added to groups: ${c.Don.uuid}`] }],
      [{ contacts: [c.Eve.uuid], action: 'like', group: 'Nope' }, { contacts: [`No such object: ${c.Eve.uuid}`], action: ['"like" is not a valid choice.'], group: ['No such object: Nope'] }],
      [[], { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await post(body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 100)} → ${res.body}`);
      assert.deepEqual(res.json(), expected, JSON.stringify(body).slice(0, 100));
    }
    assert.deepEqual(await members(testers.id), [], 'nothing changed');
    // wrong methods: fixed-permission endpoint, so 405 only after authentication
    assert.equal((await api.get(ENDPOINT)).statusCode, 405);
    assert.equal((await api.delete(ENDPOINT)).statusCode, 405);
    assert.equal((await api.as(undefined).get(ENDPOINT)).statusCode, 403);
    assert.equal((await api.as(undefined).post(ENDPOINT, {})).statusCode, 403);
  });

  test('add and remove by group name (any case) or UUID, contacts by UUID or E.164 URN', async () => {
    const before = await statusOf(c.Ann.uuid);
    assert.equal((await post({ contacts: [c.Ann.uuid, 'tel:+250788000002'], action: 'add', group: 'Testers' })).statusCode, 204);
    assert.deepEqual(await members(testers.id), ['Ann', 'Bob']);
    const after = await statusOf(c.Ann.uuid);
    assert.ok(after.modified_on > before.modified_on, 'modified_on moves');
    assert.deepEqual(after.groups, [{ uuid: testers.uuid, name: 'Testers' }]);
    assert.equal((await post({ contacts: [c.Cat.uuid, c.Ann.uuid], action: 'add', group: testers.uuid })).statusCode, 204);
    assert.deepEqual(await members(testers.id), ['Ann', 'Bob', 'Cat']);
    // adding again changes nothing, including modified_on
    assert.equal((await post({ contacts: [c.Ann.uuid], action: 'add', group: 'testers' })).statusCode, 204);
    assert.equal((await statusOf(c.Ann.uuid)).modified_on, after.modified_on);
    assert.equal((await post({ contacts: [c.Bob.uuid], action: 'remove', group: 'TESTERS' })).statusCode, 204);
    assert.equal((await post({ contacts: [c.Cat.uuid], action: 'remove', group: testers.uuid })).statusCode, 204);
    assert.deepEqual(await members(testers.id), ['Ann']);
  });

  test('block leaves groups, unblock restores status', async () => {
    assert.equal((await post({ contacts: [c.Ann.uuid, c.Bob.uuid, c.Don.uuid], action: 'block' })).statusCode, 204);
    const ann = await statusOf(c.Ann.uuid);
    assert.deepEqual([ann.status, ann.blocked, ann.groups], ['blocked', true, []]);
    assert.deepEqual(await members(testers.id), []);
    assert.equal((await post({ contacts: [c.Ann.uuid], action: 'unblock' })).statusCode, 204);
    assert.equal((await statusOf(c.Ann.uuid)).status, 'active');
    assert.equal((await statusOf(c.Bob.uuid)).status, 'blocked');
    assert.equal((await post({ contacts: [c.Bob.uuid, c.Don.uuid], action: 'unblock' })).statusCode, 204);
  });

  test('interrupt ends waiting sessions and their runs and clears the current flow', async () => {
    const flow = await makeFlow(db().db, ws.workspace.id, 'Favorites');
    const ids = await contactIds([c.Ann.uuid, c.Bob.uuid, c.Cat.uuid]);
    for (const id of ids) await waitIn(db().db, ws.workspace.id, flow.id, id);
    const shown = (await statusOf(c.Ann.uuid)).flow;
    assert.deepEqual(shown, { uuid: flow.uuid, name: 'Favorites' });
    assert.equal((await post({ contacts: [c.Ann.uuid, c.Bob.uuid], action: 'interrupt' })).statusCode, 204);
    const sessions = await db().db.selectFrom('flow_sessions').select(['contact_id', 'status', 'ended_on']).where('contact_id', 'in', ids).orderBy('contact_id').execute();
    assert.deepEqual(sessions.map((x) => x.status), ['I', 'I', 'W']);
    assert.ok(sessions[0].ended_on);
    const runs = await db().db.selectFrom('flow_runs').select(['contact_id', 'status', 'exited_on']).where('contact_id', 'in', ids).orderBy('contact_id').execute();
    assert.deepEqual(runs.map((x) => x.status), ['I', 'I', 'W']);
    assert.equal((await statusOf(c.Ann.uuid)).flow, null);
    assert.deepEqual((await statusOf(c.Cat.uuid)).flow, { uuid: flow.uuid, name: 'Favorites' });
    assert.ok(INTERRUPT_ENDS_RUNS);
    // deleting a contact interrupts it too
    assert.equal((await api.delete(`${CONTACTS}?uuid=${c.Cat.uuid}`)).statusCode, 204);
    const cat = await db().db.selectFrom('flow_sessions').select('status').where('contact_id', '=', ids[2]).executeTakeFirstOrThrow();
    assert.equal(cat.status, 'I');
    c.Cat = (await api.post(CONTACTS, { name: 'Cat', urns: ['tel:+250788000003'] })).json();
  });

  test('archive_messages (and its alias archive) archive visible incoming messages only', async () => {
    const [ann, bob, don] = await contactIds([c.Ann.uuid, c.Bob.uuid, c.Don.uuid]);
    for (const id of [ann, bob, don]) {
      await msg(db().db, ws.workspace.id, id, 'I', 'V');
      await msg(db().db, ws.workspace.id, id, 'O', 'V');
    }
    assert.equal((await post({ contacts: [c.Ann.uuid], action: 'archive_messages' })).statusCode, 204);
    assert.equal((await post({ contacts: [c.Bob.uuid], action: 'archive' })).statusCode, 204);
    const rows = await db().db.selectFrom('msgs').select(['contact_id', 'direction', 'visibility']).where('contact_id', 'in', [ann, bob, don]).orderBy('contact_id').orderBy('direction').execute();
    assert.deepEqual(rows.map((r) => `${r.direction}${r.visibility}`), ['IA', 'OV', 'IA', 'OV', 'IV', 'OV']);
    assert.ok(ARCHIVE_MESSAGES_IMPLEMENTED);
  });

  test('delete', async () => {
    assert.equal((await post({ contacts: [c.Ann.uuid, 'tel:+250788000002'], action: 'delete' })).statusCode, 204);
    const deleted = (await api.get(`${CONTACTS}?deleted=true`)).json().results.map((x: any) => x.uuid);
    assert.ok([c.Ann.uuid, c.Bob.uuid, c.Eve.uuid].every((u) => deleted.includes(u)));
    const [annId] = await contactIds([c.Ann.uuid]);
    const left = await db().db.selectFrom('msgs').select(['visibility', 'text']).where('contact_id', '=', annId).execute();
    assert.ok(left.length > 0 && left.every((m) => m.visibility === 'D' && m.text === ''), 'messages deleted with the contact');
    const again = await post({ contacts: [c.Ann.uuid], action: 'block' });
    assert.deepEqual(again.json(), { contacts: [`No such object: ${c.Ann.uuid}`] });
    // freed URN
    assert.equal((await api.post(CONTACTS, { urns: ['tel:+250788000001'] })).statusCode, 201);
  });

  test('another workspace cannot act on the contacts', async () => {
    const o = api.as(other.admin.token);
    const r = await post({ contacts: [c.Cat.uuid], action: 'delete' }, o);
    assert.deepEqual([r.statusCode, r.json()], [400, { contacts: [`No such object: ${c.Cat.uuid}`] }]);
    const byUrn = await post({ contacts: ['tel:+250788000003'], action: 'block' }, o);
    assert.deepEqual(byUrn.json(), { contacts: ['No such object: tel:+250788000003'] });
    assert.equal((await statusOf(c.Cat.uuid)).status, 'active');
  });

  test('100 contacts cost the same queries as 1, in one transaction', async () => {
    const t = await makeWorkspace(db().db);
    const tc = api.as(t.admin.token);
    const g = await makeGroup(db().db, t.workspace.id, 'Bulk');
    await seedContacts(db().db, t.workspace.id, 120);
    const all = (await tc.get(CONTACTS)).json().results.map((x: any) => x.uuid);
    const hundred = all.slice(0, 100);
    for (const action of ['add', 'remove', 'block', 'unblock', 'interrupt', 'delete']) {
      const group = action === 'add' || action === 'remove' ? 'Bulk' : undefined;
      let status = 0;
      const one = await countQueries(async () => (status = (await post({ contacts: [action === 'delete' ? all[100] : hundred[0]], action, group }, tc)).statusCode));
      assert.equal(status, 204);
      const many = await countQueries(async () => (status = (await post({ contacts: hundred, action, group }, tc)).statusCode));
      assert.equal(status, 204, action);
      assert.equal(many, one, `${action}: ${many} queries for 100 contacts vs ${one} for 1`);
      assert.ok(many <= 15, `${action}: ${many} queries`);
      if (action === 'add') assert.equal((await members(g.id)).length, 100);
    }
    assert.equal((await tc.get(`${CONTACTS}?deleted=true`)).json().results.length, 101);
  });
});
