import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { DB } from '../../db/schema.ts';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { updateWorkspace } from '../../models/workspaces.ts';
import { createChannel } from '../../models/channels.ts';
import { encodeContactRef } from '../../engine/urns/index.ts';
import { countQueries, makeGroup, seedContacts } from '../../testing/contacts.ts';
import { refreshSmartGroups } from '../../models/smart-groups.ts';

const ENDPOINT = '/api/v2/contacts.json';
const KEYS = ['uuid', 'name', 'status', 'language', 'urns', 'groups', 'notes', 'fields', 'flow', 'created_on', 'modified_on', 'last_seen_on', 'blocked', 'stopped'];

const q = encodeURIComponent;

forEachDatabase('contacts endpoint', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    for (const [name, type] of [['Nickname', 'text'], ['Age', 'number'], ['Joined', 'datetime'], ['State', 'state']]) {
      assert.equal((await api.post('/api/v2/fields.json', { name, type })).statusCode, 201);
    }
  });
  after(async () => app?.close());

  const create = async (body: unknown, client = api) => {
    const res = await client.post(ENDPOINT, body);
    assert.equal(res.statusCode, 201, res.body);
    return res.json();
  };
  const get = async (query: string, client = api) => {
    const res = await client.get(`${ENDPOINT}${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  test('create and read back: shape, key order, normalised URNs, typed field values', async () => {
    const group = await makeGroup(db().db, ws.workspace.id, 'Customers');
    const c = await create({
      name: 'Ann',
      language: 'fra',
      urns: ['tel:0788 000 001', 'twitter:@ANN_T', 'mailto:Ann@Example.com'],
      groups: [group.uuid],
      fields: { nickname: ' Annie ', age: '40.50', joined: '2017-11-11T11:12:13Z', state: 'Kigali City' },
    });
    assert.deepEqual(Object.keys(c), KEYS);
    assert.equal(c.name, 'Ann');
    assert.equal(c.status, 'active');
    assert.equal(c.language, 'fra');
    assert.deepEqual(c.urns, ['tel:+250788000001', 'twitter:ann_t', 'mailto:ann@example.com']);
    assert.deepEqual(c.groups, [{ uuid: group.uuid, name: 'Customers' }]);
    assert.deepEqual(c.notes, []);
    assert.deepEqual(c.fields, { nickname: 'Annie', age: '40.5', joined: '2017-11-11T13:12:13+02:00', state: 'Kigali City' });
    assert.equal(c.flow, null);
    assert.match(c.created_on, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/);
    assert.equal(c.last_seen_on, null);
    assert.equal(c.created_on, c.modified_on);
    assert.equal(c.blocked, false);
    assert.equal(c.stopped, false);
    const listed = await get(`?uuid=${c.uuid}`);
    assert.deepEqual(listed.results, [c]);

    // an empty contact lists every field with null
    const empty = await create({});
    assert.deepEqual(empty.fields, { nickname: null, age: null, joined: null, state: null });
    assert.deepEqual([empty.name, empty.language, empty.urns, empty.groups], [null, null, [], []]);
    const nulls = await create({ name: null, language: null, urns: [], groups: [], fields: {} });
    assert.equal(nulls.name, null);
  });

  test('field values: numbers, datetimes in the workspace style and zone, clearing, unparseable values', async () => {
    const c = await create({ fields: { age: 'forty', joined: '31-12-2017 14:15' } });
    assert.equal(c.fields.age, null); // not a number: null for a number field
    assert.equal(c.fields.joined, '2017-12-31T14:15:00+02:00');
    const cases: [string, string | null][] = [
      ['2017-11-11 11:12:13Z', '2017-11-11T13:12:13+02:00'],
      ['2017-11-11T11:12:13', null], // ISO without offset
      ['12-31-2017', null], // month first in a day_first workspace
      ['el123a41', null],
      ['2020-02-03T04:05:06.123456+01:00', '2020-02-03T05:05:06.123456+02:00'],
    ];
    for (const [input, expected] of cases) {
      const r = await api.post(`${ENDPOINT}?uuid=${c.uuid}`, { fields: { joined: input } });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().fields.joined, expected, input);
    }
    const num = await api.post(`${ENDPOINT}?uuid=${c.uuid}`, { fields: { age: 12.30, nickname: 7 } });
    assert.deepEqual([num.json().fields.age, num.json().fields.nickname], ['12.3', '7']);
    // "" and null clear; other fields untouched
    const cleared = await api.post(`${ENDPOINT}?uuid=${c.uuid}`, { fields: { age: '', nickname: null } });
    assert.deepEqual(cleared.json().fields, { nickname: null, age: null, joined: '2020-02-03T05:05:06.123456+02:00', state: null });
    const rows = await db().db.selectFrom('contact_field_values').selectAll().where('org_id', '=', ws.workspace.id).execute();
    const typed = rows.find((r) => r.text_value === '2020-02-03T04:05:06.123456+01:00')!;
    assert.ok(typed.datetime_value && typed.number_value === null, 'typed columns filled');

    // month-first workspace reads 12-31-2017
    const mf = await makeWorkspace(db().db, { dateStyle: 'month_first', timezone: 'America/New_York' });
    const mapi = api.as(mf.admin.token);
    await mapi.post('/api/v2/fields.json', { name: 'Joined', type: 'datetime' });
    const m = await create({ fields: { joined: '12-31-2017 10:00' } }, mapi);
    assert.equal(m.fields.joined, '2017-12-31T10:00:00-05:00');
  });

  test('filters: uuid, urn (normalised), group by uuid or exact name, before/after, reverse', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const g = await makeGroup(db().db, t.workspace.id, 'Reporters');
    const a = await create({ name: 'A', urns: ['tel:+250788000011'] }, c);
    const b = await create({ name: 'B', urns: ['tel:+250788000012'], groups: ['reporters'] }, c);
    const d = await create({ name: 'D', urns: ['tel:+250788000013'], groups: [g.uuid] }, c);
    const names = (page: any) => page.results.map((x: any) => x.name);
    assert.deepEqual(names(await get('', c)), ['D', 'B', 'A']);
    assert.deepEqual(names(await get('?reverse=true', c)), ['A', 'B', 'D']);
    assert.deepEqual(names(await get(`?uuid=${b.uuid}`, c)), ['B']);
    assert.deepEqual(names(await get(`?uuid=${b.uuid.toUpperCase()}`, c)), ['B']);
    assert.deepEqual(names(await get(`?urn=${q('tel:0788-000-012')}`, c)), ['B']);
    assert.deepEqual(names(await get(`?urn=${q('twitter:nobody')}`, c)), []);
    assert.deepEqual(names(await get(`?group=${g.uuid}`, c)), ['D', 'B']);
    assert.deepEqual(names(await get('?group=Reporters', c)), ['D', 'B']);
    assert.deepEqual(names(await get('?group=reporters', c)), []); // names match exactly
    assert.deepEqual(names(await get('?group=nope', c)), []);
    assert.deepEqual(names(await get(`?before=${q(b.modified_on)}`, c)), ['B', 'A']);
    assert.deepEqual(names(await get(`?after=${q(b.modified_on)}`, c)), ['D', 'B']);
    assert.deepEqual(names(await get('?after=garbage', c)), []);
    const bad = await c.get(`${ENDPOINT}?urn=12345`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: 'Invalid URN: 12345' });
    const badUuid = await c.get(`${ENDPOINT}?uuid=xyz`);
    assert.deepEqual([badUuid.statusCode, badUuid.json()], [400, { detail: "Param 'uuid': xyz is not a valid UUID." }]);
    void a;
    void d;
  });

  test('update by uuid (partial), by urn, create by unknown urn; lookup errors', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const g = await makeGroup(db().db, t.workspace.id, 'Testers');
    const jean = await create({ name: 'Jean', language: 'fra', urns: ['tel:+250783333333', 'twitter:JEAN'], groups: [g.uuid] }, c);
    // empty update changes nothing, not even modified_on
    const same = await c.post(`${ENDPOINT}?uuid=${jean.uuid}`, {});
    assert.equal(same.statusCode, 200);
    assert.deepEqual(same.json(), jean);
    const upd = await c.post(`${ENDPOINT}?uuid=${jean.uuid}`, { name: 'Jason', language: 'ita', urns: ['tel:+250784444444'], groups: [] });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.deepEqual([upd.json().name, upd.json().language, upd.json().urns, upd.json().groups], ['Jason', 'ita', ['tel:+250784444444'], []]);
    assert.ok(upd.json().modified_on > jean.modified_on, 'modified_on moves on change');
    // by URN (normalised)
    const byUrn = await c.post(`${ENDPOINT}?urn=${q('tel:+250-78-4444444')}`, { name: 'Jean III' });
    assert.equal(byUrn.statusCode, 200, byUrn.body);
    assert.equal(byUrn.json().uuid, jean.uuid);
    assert.equal(byUrn.json().name, 'Jean III');
    const notAllowed = await c.post(`${ENDPOINT}?urn=${q('tel:+250784444444')}`, { urns: ['tel:+250785555555'] });
    assert.deepEqual([notAllowed.statusCode, notAllowed.json()], [400, { urns: ['Field not allowed when using URN in URL'] }]);
    // unknown URN: created with it
    const bobby = await c.post(`${ENDPOINT}?urn=${q('tel:+250-78-5555555')}`, { name: 'Bobby' });
    assert.equal(bobby.statusCode, 201, bobby.body);
    assert.deepEqual(bobby.json().urns, ['tel:+250785555555']);
    // the old twitter URN was freed by the update and can be taken
    assert.deepEqual((await create({ urns: ['twitter:jean'] }, c)).urns, ['twitter:jean']);
    const taken = await c.post(ENDPOINT, { name: 'Robert', urns: ['twitter:bob', 'tel:+250-78-5555555'] });
    assert.deepEqual([taken.statusCode, taken.json()], [400, { urns: { 1: ['URN is in use by another contact.'] } }]);
    assert.equal((await get('?urn=twitter:bob', c)).results.length, 0, 'nothing of a rejected create is kept');
    const takenUpd = await c.post(`${ENDPOINT}?uuid=${jean.uuid}`, { urns: ['tel:+250785555555'] });
    assert.deepEqual(takenUpd.json(), { urns: { 0: ['URN is in use by another contact.'] } });
    // URN order is priority; reordering is a change
    const re = await c.post(`${ENDPOINT}?uuid=${jean.uuid}`, { urns: ['twitter:jj', 'tel:+250784444444'] });
    assert.deepEqual(re.json().urns, ['twitter:jj', 'tel:+250784444444']);

    const cases: [string, number, unknown][] = [
      ['?uuid=ad6acad9-959b-4d70-b144-5de2891e4d00', 404, { detail: 'Not found.' }],
      ['?uuid=nope', 400, { detail: "Param 'uuid': nope is not a valid UUID." }],
      [`?uuid=${jean.uuid}&urn=tel:+250784444444`, 400, { detail: 'URL can only contain one of the following parameters: urn, uuid' }],
      ['?urn=12345', 400, { detail: 'Invalid URN: 12345' }],
    ];
    for (const [qs, status, body] of cases) {
      const r = await c.post(`${ENDPOINT}${qs}`, {});
      assert.deepEqual([r.statusCode, r.json()], [status, body], qs);
    }
    // ?urn= of a URN that is not valid for writes cannot create a contact
    const invalid = await c.post(`${ENDPOINT}?urn=${q('tel:123')}`, {});
    assert.deepEqual([invalid.statusCode, invalid.json()], [400, { urns: { 0: ['Invalid URN: tel:123. Ensure phone numbers contain country codes.'] } }]);
  });

  test('groups on contacts: manual only, replaced on update, non-active contacts refused', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const g1 = await makeGroup(db().db, t.workspace.id, 'One');
    const g2 = await makeGroup(db().db, t.workspace.id, 'Two');
    const smart = await makeGroup(db().db, t.workspace.id, 'Smart', 'age > 10');
    const otherGroup = await makeGroup(db().db, other.workspace.id, 'Theirs');
    const x = await create({ groups: ['one', g2.uuid] }, c);
    assert.deepEqual(x.groups.map((g: any) => g.name), ['One', 'Two']);
    const r = await c.post(`${ENDPOINT}?uuid=${x.uuid}`, { groups: [g2.uuid] });
    assert.deepEqual(r.json().groups.map((g: any) => g.name), ['Two']);
    const errs: [unknown, unknown][] = [
      [[smart.uuid], { groups: [`Contact group must not be query based: ${smart.uuid}`] }],
      [[otherGroup.uuid], { groups: [`No such object: ${otherGroup.uuid}`] }],
      [['Open Tickets'], { groups: ['Contact group must not be query based: Open Tickets'] }],
      [[{ a: 1 }], { groups: ['Must be a string or integer'] }],
      ['One', { groups: ['Expected a list of items but got type "str".'] }],
      [null, { groups: ['This field may not be null.'] }],
      [Array.from({ length: 101 }, () => g1.uuid), { groups: ['Ensure this field has no more than 100 elements.'] }],
    ];
    for (const [groups, expected] of errs) {
      const res = await c.post(`${ENDPOINT}?uuid=${x.uuid}`, { groups });
      assert.deepEqual([res.statusCode, res.json()], [400, expected], JSON.stringify(groups).slice(0, 60));
    }
    await c.post('/api/v2/contact_actions.json', { contacts: [x.uuid], action: 'block' });
    const blocked = await c.post(`${ENDPOINT}?uuid=${x.uuid}`, { groups: [g1.uuid] });
    assert.deepEqual(blocked.json(), { groups: ["Non-active contacts can't be added to groups"] });
    const ok = await c.post(`${ENDPOINT}?uuid=${x.uuid}`, { groups: [] });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().status, 'blocked');
    assert.equal(ok.json().blocked, true);
  });

  test('notes: appended on update, last five shown oldest first with their author', async () => {
    const x = await create({ name: 'Frank', note: 'ignored on create' });
    assert.deepEqual(x.notes, []);
    for (let i = 1; i <= 6; i++) {
      const who = i <= 3 ? api : api.as(ws.editor.token);
      assert.equal((await who.post(`${ENDPOINT}?uuid=${x.uuid}`, { note: `Note ${i}` })).statusCode, 200);
    }
    const notes = (await get(`?uuid=${x.uuid}`)).results[0].notes;
    assert.deepEqual(notes.map((n: any) => n.text), ['Note 2', 'Note 3', 'Note 4', 'Note 5', 'Note 6']);
    assert.deepEqual(notes[0].created_by, { email: ws.admin.email, name: 'administrator Number' + ws.admin.email.match(/\d+/)![0] });
    assert.equal(notes[4].created_by.email, ws.editor.email);
    assert.match(notes[0].created_on, /Z$/);
    const long = await api.post(`${ENDPOINT}?uuid=${x.uuid}`, { note: 'x'.repeat(10001) });
    assert.deepEqual(long.json(), { note: ['Ensure this field has no more than 10000 characters.'] });
    assert.equal((await api.post(`${ENDPOINT}?uuid=${x.uuid}`, { note: '' })).statusCode, 200);
  });

  test('delete: soft, frees URNs, listed under deleted=true with nulled data, cannot be modified', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const g = await makeGroup(db().db, t.workspace.id, 'G');
    const x = await create({ name: 'Xavier', urns: ['tel:+250787777777', 'twitter:XAVIER'], groups: [g.uuid] }, c);
    const y = await create({ name: 'Yan', urns: ['twitter:yan'] }, c);
    const empty = await c.delete(ENDPOINT);
    assert.deepEqual([empty.statusCode, empty.json()], [400, { detail: 'URL must contain one of the following parameters: urn, uuid' }]);
    assert.equal((await c.delete(`${ENDPOINT}?urn=${q('twitter:XAVIER')}`)).statusCode, 204);
    assert.equal((await c.delete(`${ENDPOINT}?uuid=${y.uuid}`)).statusCode, 204);
    assert.equal((await c.delete(`${ENDPOINT}?uuid=${y.uuid}`)).statusCode, 204); // still addressable by UUID
    assert.equal((await c.delete(`${ENDPOINT}?urn=twitter:billy`)).statusCode, 404);
    assert.equal((await c.delete(`${ENDPOINT}?uuid=${randomUUID()}`)).statusCode, 404);
    assert.deepEqual((await get('', c)).results, []);
    const deleted = (await get('?deleted=true', c)).results;
    assert.deepEqual(deleted.map((d: any) => d.uuid), [y.uuid, x.uuid]);
    const d = deleted[1];
    assert.deepEqual(Object.keys(d), KEYS);
    assert.deepEqual(
      { ...d, created_on: undefined, modified_on: undefined },
      { uuid: x.uuid, name: null, status: null, language: null, urns: [], groups: [], notes: [], fields: {}, flow: null, created_on: undefined, modified_on: undefined, last_seen_on: null, blocked: null, stopped: null },
    );
    assert.equal(d.created_on, x.created_on);
    assert.ok(d.modified_on > x.modified_on);
    const mod = await c.post(`${ENDPOINT}?uuid=${x.uuid}`, { name: 'Back' });
    assert.deepEqual([mod.statusCode, mod.json()], [400, { non_field_errors: ["Deleted contacts can't be modified."] }]);
    // URNs were freed and groups left
    assert.deepEqual((await create({ urns: ['tel:+250787777777', 'twitter:xavier'] }, c)).urns, ['tel:+250787777777', 'twitter:xavier']);
    const members = await db().db.selectFrom('contact_groups_contacts').selectAll().where('group_id', '=', (await db().db.selectFrom('contact_groups').select('id').where('uuid', '=', g.uuid).executeTakeFirstOrThrow()).id).execute();
    assert.equal(members.length, 0);
  });

  test('anonymous workspaces: masked URNs, ref, no URN lookups, no URN updates', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    await createChannel(db().db, t.workspace, { type: 'A', name: 'Android', address: '+250788000000' });
    const jean = await create({ name: 'Jean', urns: ['tel:+250783333333', 'twitter:JEAN'] }, c);
    await updateWorkspace(db().db, t.workspace.id, { isAnon: true });
    const row = await db().db.selectFrom('contacts').select('id').where('uuid', '=', jean.uuid).executeTakeFirstOrThrow();
    const ref = encodeContactRef(row.id);
    const got = (await get(`?uuid=${jean.uuid}`, c)).results[0];
    assert.deepEqual(Object.keys(got), ['uuid', 'name', 'ref', 'anon_display', ...KEYS.slice(2)]);
    assert.deepEqual([got.ref, got.anon_display, got.urns], [ref, ref, ['tel:********', 'twitter:********']]);
    assert.match(ref, /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6,7}$/);
    const exp = (await get(`?uuid=${jean.uuid}&expand_urns=true`, c)).results[0];
    assert.deepEqual(exp.urns.map((u: any) => [u.scheme, u.path, u.display]), [['tel', '********', null], ['twitter', '********', null]]);
    const forbidden = { detail: 'URN lookups not allowed for anonymous organizations' };
    for (const res of [
      await c.get(`${ENDPOINT}?urn=${q('tel:+250783333333')}`),
      await c.post(`${ENDPOINT}?urn=${q('tel:+250785555555')}`, {}),
      await c.delete(`${ENDPOINT}?urn=${q('tel:+250783333333')}`),
    ]) {
      assert.deepEqual([res.statusCode, res.json()], [400, forbidden]);
    }
    const upd = await c.post(`${ENDPOINT}?uuid=${jean.uuid}`, { urns: ['tel:+250786666666'] });
    assert.deepEqual([upd.statusCode, upd.json()], [400, { urns: ['Updating URNs not allowed for anonymous organizations'] }]);
    const xavier = await create({ name: 'Xavier', urns: ['tel:+250-78-7777777'] }, c);
    assert.deepEqual(xavier.urns, ['tel:********']);
    const stored = await db().db.selectFrom('contact_urns').select('identity').where('org_id', '=', t.workspace.id).where('identity', '=', 'tel:+250787777777').execute();
    assert.equal(stored.length, 1);
  });

  test('expand_urns: channel, scheme, path, display; sendable first unless urn_order=priority', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const ch = await createChannel(db().db, t.workspace, { type: 'A', name: 'Phone', address: '+250788000000' });
    const x = await create({ urns: ['facebook:123456789', 'tel:+250788123456', 'twitterid:1234#Bob'] }, c);
    const chRow = await db().db.selectFrom('channels').select(['uuid', 'name']).where('uuid', '=', ch.uuid).executeTakeFirstOrThrow();
    const exp = (await get(`?uuid=${x.uuid}&expand_urns=true`, c)).results[0].urns;
    assert.deepEqual(exp, [
      { channel: { uuid: chRow.uuid, name: 'Phone' }, scheme: 'tel', path: '+250788123456', display: null },
      { channel: null, scheme: 'facebook', path: '123456789', display: null },
      { channel: null, scheme: 'twitterid', path: '1234', display: 'bob' },
    ]);
    const prio = await c.post(`${ENDPOINT}?expand_urns=true&urn_order=priority&uuid=${x.uuid}`, {});
    assert.deepEqual(prio.json().urns.map((u: any) => u.scheme), ['facebook', 'tel', 'twitterid']);
    assert.deepEqual((await get(`?uuid=${x.uuid}`, c)).results[0].urns, ['facebook:123456789', 'tel:+250788123456', 'twitterid:1234']);
  });

  test('bad input is a 400 in RapidPro shape, never a 500', async () => {
    const cases: [unknown, unknown][] = [
      [[], { non_field_errors: ['Request body should be a single JSON object'] }],
      ['"x"', { non_field_errors: ['Request body should be a single JSON object'] }],
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: 'x'.repeat(65) }, { name: ['Ensure this field has no more than 64 characters.'] }],
      [{ name: ['a'] }, { name: ['Not a valid string.'] }],
      [{ name: true }, { name: ['Not a valid string.'] }],
      [{ name: 'a\u0000b' }, { name: ['Null characters are not allowed.'] }],
      [{ language: 'xyz' }, { language: ['Not a valid ISO639-3 language code.'] }],
      [{ language: 'en' }, { language: ['Ensure this field has at least 3 characters.'] }],
      [{ language: 'engl' }, { language: ['Ensure this field has no more than 3 characters.'] }],
      [{ language: '' }, { language: ['This field may not be blank.'] }],
      [{ urns: 'tel:+250788000001' }, { urns: ['Expected a list of items but got type "str".'] }],
      [{ urns: null }, { urns: ['This field may not be null.'] }],
      [{ urns: ['1234556789'] }, { urns: { 0: ['Invalid URN: 1234556789. Ensure phone numbers contain country codes.'] } }],
      [{ urns: ['tel:+250788000001', 'xyz:abc', 'tel:800-123-4567', 'twitter:has space', 'mailto:nope', ':', 'tel:', 'deleted:abc', 'telegram:abc'] }, {
        urns: Object.fromEntries(['xyz:abc', 'tel:800-123-4567', 'twitter:has space', 'mailto:nope', ':', 'tel:', 'deleted:abc', 'telegram:abc'].map((u, i) => [String(i + 1), [`Invalid URN: ${u}. Ensure phone numbers contain country codes.`]])),
      }],
      [{ urns: [null, 12, true, ''] }, { urns: { 0: ['This field may not be null.'], 1: ['Invalid URN: 12. Ensure phone numbers contain country codes.'], 2: ['Invalid URN: True. Ensure phone numbers contain country codes.'], 3: ['This field may not be blank.'] } }],
      [{ urns: ['ext:abc\u0000def'] }, { urns: { 0: ['Null characters are not allowed.'] } }],
      [{ urns: [`ext:${'x'.repeat(260)}`] }, { urns: { 0: ['Ensure this field has no more than 255 characters.'] } }],
      [{ urns: Array.from({ length: 101 }, (_, i) => `twitter:bob${i}`) }, { urns: ['Ensure this field has no more than 100 elements.'] }],
      [{ fields: [] }, { fields: ['Expected a dictionary of items but got type "list".'] }],
      [{ fields: 'age' }, { fields: ['Expected a dictionary of items but got type "str".'] }],
      [{ fields: { hmmm: 'X' } }, { fields: ['Invalid contact field key: hmmm'] }],
      [{ fields: { created_on: '2020-01-01' } }, { fields: ['Invalid contact field key: created_on'] }],
      [{ fields: { nickname: 'crayons \u0000 on the wall' } }, { fields: { nickname: ['Null characters are not allowed.'] } }],
      [{ fields: { nickname: true, age: [1] } }, { fields: { nickname: ['Not a valid string.'], age: ['Not a valid string.'] } }],
      [{ fields: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`field_${i}`, i])) }, { fields: ['Ensure this field has no more than 100 elements.'] }],
      [{ groups: ['59686b4e-14bc-4160-9376-b649b218c806'] }, { groups: ['No such object: 59686b4e-14bc-4160-9376-b649b218c806'] }],
      [{ note: null }, { note: ['This field may not be null.'] }],
      [{ groups: ['a\u0000b'] }, { groups: ['No such object: a\u0000b'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 80)} → ${res.body}`);
      assert.deepEqual(res.json(), expected, JSON.stringify(body).slice(0, 80));
    }
    // every bad field together
    const all = await api.post(ENDPOINT, { name: 'Jim', language: 'xyz', urns: ['1234556789'], groups: ['59686b4e-14bc-4160-9376-b649b218c806'], fields: { hmmm: 'X' } });
    assert.deepEqual(all.json(), {
      language: ['Not a valid ISO639-3 language code.'],
      urns: { 0: ['Invalid URN: 1234556789. Ensure phone numbers contain country codes.'] },
      groups: ['No such object: 59686b4e-14bc-4160-9376-b649b218c806'],
      fields: ['Invalid contact field key: hmmm'],
    });
    // 100 of everything is fine
    const ok = await api.post(ENDPOINT, { urns: Array.from({ length: 100 }, (_, i) => `twitter:hundred${i}`) });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().urns.length, 100);
    const badJson = await api.post(ENDPOINT, '{"name": ');
    assert.equal(badJson.statusCode, 400);
    const ct = await api.post(ENDPOINT, 'x', { 'content-type': 'text/plain' });
    assert.equal(ct.statusCode, 415);
    for (const qs of ['?cursor=%%%', '?cursor=cD0yMDI2', `?cursor=${q(Buffer.from('p=2026-02-31 00:00:00%2B00&i=1').toString('base64'))}`, `?cursor=${q(Buffer.from('p=0000-01-01 00:00:00%2B00&i=1').toString('base64'))}`, '?before=%00', '?urn=%00', '?group=%00', '?uuid=%00']) {
      const r = await api.get(`${ENDPOINT}${qs}`);
      assert.ok(r.statusCode < 500, `${qs} → ${r.statusCode} ${r.body}`);
    }
    const put = await api.request('PUT', ENDPOINT);
    assert.equal(put.statusCode, 405);
  });

  test('flagged workspaces cannot write; agents cannot use tokens', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const x = await create({ name: 'F' }, c);
    await updateWorkspace(db().db, t.workspace.id, { isSuspended: true });
    const r = await c.post(`${ENDPOINT}?uuid=${x.uuid}`, { name: 'G' });
    assert.equal(r.statusCode, 400);
    assert.match(r.json().non_field_errors[0], /currently suspended/);
    assert.equal((await c.get(ENDPOINT)).statusCode, 200);
    assert.equal((await api.as(undefined).get(ENDPOINT)).statusCode, 403);
  });

  test('another workspace cannot list, read, update or delete the contacts', async () => {
    const mine = await create({ name: 'Mine', urns: ['tel:+250788999999'] });
    const o = api.as(other.admin.token);
    assert.deepEqual((await get('', o)).results, []);
    assert.deepEqual((await get(`?uuid=${mine.uuid}`, o)).results, []);
    assert.deepEqual((await get(`?urn=${q('tel:+250788999999')}`, o)).results, []);
    assert.equal((await o.post(`${ENDPOINT}?uuid=${mine.uuid}`, { name: 'Hijack' })).statusCode, 404);
    assert.equal((await o.delete(`${ENDPOINT}?uuid=${mine.uuid}`)).statusCode, 404);
    assert.equal((await o.delete(`${ENDPOINT}?urn=${q('tel:+250788999999')}`)).statusCode, 404);
    // the URN is free in the other workspace, and ?urn= there creates a new contact
    const theirs = await o.post(`${ENDPOINT}?urn=${q('tel:+250788999999')}`, { name: 'Theirs' });
    assert.equal(theirs.statusCode, 201);
    assert.notEqual(theirs.json().uuid, mine.uuid);
    assert.equal((await get(`?uuid=${mine.uuid}`)).results[0].name, 'Mine');
  });

  test('pagination over 600 contacts, and a page costs the same few queries at any size', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    for (const name of ['F1', 'F2', 'F3']) await c.post('/api/v2/fields.json', { name, type: 'text' });
    const g = await makeGroup(db().db, t.workspace.id, 'Everyone');
    await seedContacts(db().db, t.workspace.id, 600, g.id);
    const all = await listAll(c, ENDPOINT);
    assert.equal(all.length, 600);
    assert.equal(new Set(all.map((x) => x.uuid)).size, 600);
    assert.equal(all[0].urns.length, 2);
    assert.equal(all[0].groups.length, 1);
    assert.equal(Object.values(all[0].fields).filter((v) => v !== null).length, 3);
    const rev = await listAll(c, `${ENDPOINT}?reverse=1`);
    assert.deepEqual(rev.map((x) => x.uuid), [...all].reverse().map((x) => x.uuid));

    const full = await countQueries(() => c.get(ENDPOINT));
    const small = await countQueries(() => c.get(`${ENDPOINT}?uuid=${all[0].uuid}`));
    const expanded = await countQueries(() => c.get(`${ENDPOINT}?expand_urns=true`));
    assert.equal(full, small, 'a page of 250 costs what a page of 1 costs');
    assert.ok(full <= 10, `listing costs ${full} queries`);
    assert.ok(expanded <= full + 1);
  });

  test('a create or update with 100 URNs, 100 groups and many fields is a fixed number of queries', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    await updateWorkspace(db().db, t.workspace.id, { limits: { fields: 300, groups: 300 } });
    const keys: string[] = [];
    for (let i = 0; i < 100; i++) keys.push((await c.post('/api/v2/fields.json', { name: `Field ${i}`, type: i % 2 ? 'number' : 'datetime' })).json().key);
    const groups: string[] = [];
    for (let i = 0; i < 100; i++) groups.push((await makeGroup(db().db, t.workspace.id, `G${i}`)).uuid);
    const body = (n: number, tag: string) => ({
      name: 'Big',
      urns: Array.from({ length: n }, (_, i) => `twitter:${tag}${i}`),
      groups: groups.slice(0, n),
      fields: Object.fromEntries(keys.slice(0, n).map((k, i) => [k, String(i)])),
    });
    let created: any;
    const big = await countQueries(async () => (created = (await c.post(ENDPOINT, body(100, 'big'))).json()));
    const tiny = await countQueries(() => c.post(ENDPOINT, body(1, 'tiny')));
    assert.equal(created.urns.length, 100);
    assert.equal(created.groups.length, 100);
    assert.equal(big, tiny, 'creates cost the same whatever the list sizes');
    assert.equal(big, 2, 'a create reads the workspace once and writes once');
    const upd = await countQueries(() => c.post(`${ENDPOINT}?uuid=${created.uuid}`, { ...body(100, 'upd'), groups: groups.slice(50) }));
    const updTiny = await countQueries(() => c.post(`${ENDPOINT}?uuid=${created.uuid}`, body(1, 'upd')));
    assert.ok(upd <= updTiny + 2 && upd <= 12, `update cost ${upd} vs ${updTiny}`);
  });

  test('smart groups: a create joins them in its one statement; an update evaluates only the groups it concerns', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const field = async (name: string, type: string) => (await c.post('/api/v2/fields.json', { name, type })).json().key;
    const [age, nick, color] = [await field('Age', 'number'), await field('Nick', 'text'), await field('Color', 'text')];
    const plain = await countQueries(() => c.post(ENDPOINT, { name: 'Before', fields: { [age]: '30' } }));
    const adults = await makeGroup(db().db, t.workspace.id, 'Adults', `${age} >= 18`);
    const bobs = await makeGroup(db().db, t.workspace.id, 'Bobs', 'name ~ "bob"');
    const kin = await makeGroup(db().db, t.workspace.id, 'Kin speakers', 'language = "kin"');
    const tel = await makeGroup(db().db, t.workspace.id, 'Phones', 'tel ~ 0788');
    const noNick = await makeGroup(db().db, t.workspace.id, 'No nick', `${nick} = ""`);
    const manual = await makeGroup(db().db, t.workspace.id, 'Manual');
    for (let i = 0; i < 5; i++) await makeGroup(db().db, t.workspace.id, `Never ${i}`, `${age} > 1000`);
    const members = async (uuid: string) =>
      (await sql<{ name: string }>`SELECT g.name FROM contact_groups_contacts gc JOIN contact_groups g ON g.id = gc.group_id JOIN contacts c ON c.id = gc.contact_id
        WHERE c.uuid = ${uuid} ORDER BY g.id`.execute(db().db)).rows.map((r) => r.name);

    let bob: any;
    const smart = await countQueries(async () => {
      bob = (await c.post(ENDPOINT, { name: 'Bob', urns: ['tel:+250788123456'], groups: [manual.uuid], fields: { [age]: '40' } })).json();
    });
    assert.equal(smart, plain, 'smart groups add no statement to a create');
    assert.deepEqual(bob.groups, [adults, bobs, tel, noNick, manual].map((g, i) => ({ uuid: g.uuid, name: ['Adults', 'Bobs', 'Phones', 'No nick', 'Manual'][i] })));
    assert.deepEqual(await members(bob.uuid), ['Adults', 'Bobs', 'Phones', 'No nick', 'Manual']);
    const ann = await create({ name: 'Ann', language: 'kin', fields: { [age]: '12', [nick]: 'annie' } }, c);
    assert.deepEqual(ann.groups.map((g: any) => g.name), ['Kin speakers']);
    void kin;

    // an update reads the groups with the fields, and evaluates (in one statement) only those whose
    // query looks at what it sets: a field no group uses → no evaluation at all
    const colorOnly = await countQueries(() => c.post(`${ENDPOINT}?uuid=${bob.uuid}`, { fields: { [color]: 'red' } }));
    const ageOnly = await countQueries(() => c.post(`${ENDPOINT}?uuid=${bob.uuid}`, { fields: { [age]: '17' } }));
    assert.equal(ageOnly, colorOnly + 1, 'one statement refreshes the groups on age');
    assert.ok(ageOnly <= 9, `a one-field update costs ${ageOnly} statements`);
    assert.deepEqual(await members(bob.uuid), ['Bobs', 'Phones', 'No nick', 'Manual']);
    const updated = (await c.post(`${ENDPOINT}?uuid=${bob.uuid}`, { name: 'Robert', language: 'kin', urns: ['tel:+250722000000'], fields: { [age]: '18', [nick]: 'rob' } })).json();
    assert.deepEqual(updated.groups.map((g: any) => g.name), ['Adults', 'Kin speakers', 'Manual']);
    assert.deepEqual(await members(bob.uuid), ['Adults', 'Kin speakers', 'Manual']);

    // another workspace's contacts never join these groups, and its smart groups never take ours
    const o = api.as(other.admin.token);
    const theirs = await create({ name: 'Bob Other', urns: ['tel:+250788123457'] }, o);
    assert.deepEqual(theirs.groups, []);
    assert.deepEqual(await members(theirs.uuid), []);
  });

  test('smart groups a create decides in memory are those the SQL evaluation gives', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const key = async (name: string, type: string) => (await c.post('/api/v2/fields.json', { name, type })).json().key;
    const [age, born, nick, region] = [await key('Age', 'number'), await key('Born', 'datetime'), await key('Nick', 'text'), await key('Region', 'state')];
    const queries = [
      `${age} >= 18`, `${age} < 18 OR ${age} = ""`, `${born} > 2000-01-01`, `${born} = 15-06-1990`, `${nick} = "Bobby"`, `${nick} != "bobby"`,
      `${nick} ~ "ob"`, `${region} = "Kigali City"`, 'name ~ "bob"', 'name = "ann"', 'name = ""', 'language = "kin"', 'language != "eng"',
      'tel ~ 0788', 'tel = +250788000001', 'twitter = "ann_t"', 'urn ~ "ann"', 'tel = ""', `created_on > 01-01-2020`, `${age} > 10 AND name ~ "ann"`,
    ];
    const groups = [];
    for (const [i, query] of queries.entries()) groups.push(await makeGroup(db().db, t.workspace.id, `Q${i}`, query));
    const bodies = [
      { name: 'Bob', language: 'eng', urns: ['tel:+250788000001'], fields: { [age]: '30', [nick]: 'Bobby', [born]: '1990-06-15T10:00:00+02:00' } },
      { name: 'Ann', language: 'kin', urns: ['twitter:ann_t', 'tel:0788 000 002'], fields: { [age]: '12', [region]: 'Kigali City', [nick]: 'annie' } },
      { name: 'Ann Bobson', urns: ['mailto:ann@example.com'], fields: { [born]: '2001-02-03', [age]: '11.5' } },
      { fields: { [age]: 'old', [nick]: '' } },
      { name: null, language: null, urns: [] },
    ];
    const members = async () =>
      (await sql<{ g: number; c: number }>`SELECT gc.group_id AS g, gc.contact_id AS c FROM contact_groups_contacts gc JOIN contact_groups g ON g.id = gc.group_id
        WHERE g.org_id = ${t.workspace.id} ORDER BY 1, 2`.execute(db().db)).rows;
    for (const b of bodies) await create(b, c);
    const inMemory = await members();
    assert.ok(inMemory.length >= 10, `${inMemory.length} memberships`);
    const ids = (await db().db.selectFrom('contacts').select('id').where('org_id', '=', t.workspace.id).execute()).map((r) => r.id);
    await sql`DELETE FROM contact_groups_contacts WHERE contact_id = ANY(${ids}::bigint[])`.execute(db().db);
    await refreshSmartGroups(db().db, t.workspace, ids);
    assert.deepEqual(await members(), inMemory);
  });

  test('the database enforces one contact per URN per workspace', async () => {
    const x = await create({ urns: ['tel:+250788111222'] });
    const row = await db().db.selectFrom('contacts').select(['id', 'org_id']).where('uuid', '=', x.uuid).executeTakeFirstOrThrow();
    await assert.rejects(
      sql`INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity) VALUES (${row.org_id}, NULL, 'tel', '+250788111222', 'tel:+250788111222')`.execute(db().db),
      /duplicate key|unique/,
    );
    // concurrent creates of the same URN: exactly one wins, the others get RapidPro's error
    const results = await Promise.all(Array.from({ length: 5 }, () => api.post(ENDPOINT, { urns: ['tel:+250788333444'] })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 400, 400, 400, 400]);
    for (const r of results.filter((r) => r.statusCode === 400)) assert.deepEqual(r.json(), { urns: { 0: ['URN is in use by another contact.'] } });
  });
});

