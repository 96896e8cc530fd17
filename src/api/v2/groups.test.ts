import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { updateWorkspace } from '../../models/workspaces.ts';

const ENDPOINT = '/api/v2/groups.json';
const UNIQUE = { name: ['This field must be unique.'] };
const LIMIT = { detail: 'Cannot create object because workspace has reached limit.' };

forEachDatabase('groups endpoint', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
  });
  after(async () => app?.close());

  /** A group written straight to the table (smart groups and odd statuses cannot be made through the API yet). */
  async function insertGroup(orgId: number, name: string, fields: { group_type?: string; query?: string | null; status?: string; is_system?: boolean } = {}) {
    return db().db
      .insertInto('contact_groups')
      .values({ uuid: crypto.randomUUID(), org_id: orgId, name, group_type: fields.group_type ?? 'M', query: fields.query ?? null, status: fields.status ?? 'R', is_system: fields.is_system ?? false })
      .returning(['id', 'uuid'])
      .executeTakeFirstOrThrow();
  }

  async function addMembers(orgId: number, groupId: number, n: number) {
    const contacts = await db().db
      .insertInto('contacts')
      .values(Array.from({ length: n }, (_, i) => ({ uuid: crypto.randomUUID(), org_id: orgId, name: `Contact ${i}` })))
      .returning('id')
      .execute();
    await db().db.insertInto('contact_groups_contacts').values(contacts.map((c) => ({ group_id: groupId, contact_id: c.id }))).execute();
    return contacts.map((c) => c.id);
  }

  async function memberships(groupId: number): Promise<number> {
    const r = await db().db.selectFrom('contact_groups_contacts').select((eb) => eb.fn.countAll<string>().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  const openTickets = async (t: TestWorkspace) =>
    db().db.selectFrom('contact_groups').select(['id', 'uuid']).where('org_id', '=', t.workspace.id).where('name', '=', 'Open Tickets').executeTakeFirstOrThrow();

  test('a new workspace lists only the system group "Open Tickets", never the status groups', async () => {
    const t = await makeWorkspace(db().db);
    const res = await api.as(t.admin.token).get(ENDPOINT);
    assert.equal(res.statusCode, 200, res.body);
    const ot = await openTickets(t);
    assert.deepEqual(res.json(), {
      next: null,
      previous: null,
      results: [{ uuid: ot.uuid, name: 'Open Tickets', query: 'tickets > 0', status: 'ready', system: true, count: 0 }],
    });
  });

  test('create, list newest first with statuses and counts, filter', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.editor.token);
    const created = await c.post(ENDPOINT, { name: '  Customers ' });
    assert.equal(created.statusCode, 201, created.body);
    const customers = created.json();
    assert.match(customers.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(customers, { uuid: customers.uuid, name: 'Customers', query: null, status: 'ready', system: false, count: 0 });
    const customersRow = await db().db.selectFrom('contact_groups').select(['id', 'group_type']).where('uuid', '=', customers.uuid).executeTakeFirstOrThrow();
    assert.equal(customersRow.group_type, 'M');
    await addMembers(t.workspace.id, customersRow.id, 3);

    const developers = await insertGroup(t.workspace.id, 'Developers', { group_type: 'Q', query: 'isdeveloper = "YES"', status: 'R' });
    const big = await insertGroup(t.workspace.id, 'Big Group', { group_type: 'Q', query: 'isdeveloper = "NO"', status: 'E' });
    const broken = await insertGroup(t.workspace.id, 'Broken', { group_type: 'Q', query: 'bad = ', status: 'V' });
    await insertGroup(t.workspace.id, 'Initializing', { group_type: 'Q', query: 'age > 1', status: 'I' });
    await insertGroup(t.workspace.id, 'Deleted', {}).then((g) => db().db.updateTable('contact_groups').set({ is_active: false }).where('id', '=', g.id).execute());
    const ot = await openTickets(t);

    const list = await c.get(ENDPOINT);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().results, [
      { uuid: broken.uuid, name: 'Broken', query: 'bad = ', status: 'invalid', system: false, count: 0 },
      { uuid: big.uuid, name: 'Big Group', query: 'isdeveloper = "NO"', status: 'evaluating', system: false, count: 0 },
      { uuid: developers.uuid, name: 'Developers', query: 'isdeveloper = "YES"', status: 'ready', system: false, count: 0 },
      { uuid: customers.uuid, name: 'Customers', query: null, status: 'ready', system: false, count: 3 },
      { uuid: ot.uuid, name: 'Open Tickets', query: 'tickets > 0', status: 'ready', system: true, count: 0 },
    ]);

    const names = async (qs: string) => {
      const res = await c.get(`${ENDPOINT}?${qs}`);
      assert.equal(res.statusCode, 200, `${qs}: ${res.body}`);
      return res.json().results.map((g: any) => g.name);
    };
    assert.deepEqual(await names(`uuid=${customers.uuid}`), ['Customers']);
    assert.deepEqual(await names(`uuid=${customers.uuid.toUpperCase()}`), ['Customers']);
    assert.deepEqual(await names(`uuid={${customers.uuid}}`), ['Customers']);
    assert.deepEqual(await names(`uuid=${crypto.randomUUID()}`), []);
    assert.deepEqual(await names('name=developers'), ['Developers']);
    assert.deepEqual(await names('name=OPEN%20TICKETS'), ['Open Tickets']);
    assert.deepEqual(await names('name=Develop'), []); // exact, not a prefix
    assert.deepEqual(await names('name=Develop%00ers'), []); // a NUL matches nothing (never a 500)
    assert.deepEqual(await names('name=Active'), []); // status groups are never exposed
    assert.deepEqual(await names('name=Initializing'), []);
    assert.deepEqual(await names('manual_only=1'), ['Customers']);
    assert.deepEqual(await names('manual_only=TrUe'), ['Customers']);
    assert.deepEqual(await names('manual_only=no').then((n) => n.length), 5);
    assert.deepEqual(await names(`uuid=${customers.uuid}&name=`), ['Customers']); // empty values are not counted

    const both = await c.get(`${ENDPOINT}?uuid=${customers.uuid}&name=developers`);
    assert.equal(both.statusCode, 400);
    assert.deepEqual(both.json(), { detail: 'You may only specify one of the uuid, name parameters' });
    const bad = await c.get(`${ENDPOINT}?uuid=xyz`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
    // repeated: every value is validated, the first one is used, at most 100
    assert.deepEqual(await names(`uuid=${customers.uuid}&uuid=${developers.uuid}`), ['Customers']);
    const badSecond = await c.get(`${ENDPOINT}?uuid=${customers.uuid}&uuid=nope`);
    assert.deepEqual(badSecond.json(), { detail: "Param 'uuid': nope is not a valid UUID." });
    const many = await c.get(`${ENDPOINT}?${Array.from({ length: 101 }, () => `uuid=${customers.uuid}`).join('&')}`);
    assert.equal(many.statusCode, 400);
    assert.deepEqual(many.json(), { detail: "Param 'uuid' can have a maximum of 100 values." });
  });

  test('validation messages', async () => {
    const cases: [unknown, unknown][] = [
      [{}, { name: ['This field is required.'] }],
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: '   ' }, { name: ['This field may not be blank.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: ['x'] }, { name: ['Not a valid string.'] }],
      [{ name: true }, { name: ['Not a valid string.'] }],
      [{ name: '"People"' }, { name: ['Cannot contain the character: "'] }],
      [{ name: 'back\\slash' }, { name: ['Cannot contain the character: \\'] }],
      [{ name: 'x'.repeat(65) }, { name: ['Cannot be longer than 64 characters.', 'Ensure this field has no more than 64 characters.'] }],
      [{ name: 'nul\u0000char' }, { name: ['Cannot contain null characters.', 'Null characters are not allowed.'] }],
      [[{ name: 'x' }], { non_field_errors: ['Request body should be a single JSON object'] }],
      ['"just a string"', { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    assert.equal((await api.post(ENDPOINT, { name: 'x'.repeat(64) })).statusCode, 201);
    assert.equal((await api.post(ENDPOINT, { name: 12345 })).json().name, '12345'); // numbers are stringified

    assert.equal((await api.post(ENDPOINT, { name: 'Reporters' })).statusCode, 201);
    for (const name of ['reporters', ' REPORTERS ', 'open tickets', 'Active', 'stopped']) {
      const dup = await api.post(ENDPOINT, { name });
      assert.equal(dup.statusCode, 400, name);
      assert.deepEqual(dup.json(), UNIQUE, name);
    }
    const badJson = await api.post(ENDPOINT, '{"name": ');
    assert.equal(badJson.statusCode, 400);
    assert.match(badJson.json().detail, /^JSON parse error - /);
    const ct = await api.post(ENDPOINT, 'name=x', { 'content-type': 'text/plain' });
    assert.equal(ct.statusCode, 415);
    assert.deepEqual(ct.json(), { detail: 'Unsupported media type "text/plain" in request.' });
  });

  test('concurrent creates of one name: one 201, the others "must be unique", never a 500', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => c.post(ENDPOINT, { name: i % 2 ? 'Racers' : 'RACERS' })));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 400, 400, 400, 400, 400]);
    for (const r of results.filter((r) => r.statusCode === 400)) assert.deepEqual(r.json(), UNIQUE);
  });

  test('form-encoded bodies work', async () => {
    const res = await api.request('POST', ENDPOINT, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=Form+Group' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().name, 'Form Group');
  });

  test('update renames by uuid; system, unknown and malformed uuids', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const g = (await c.post(ENDPOINT, { name: 'Reporters' })).json();
    const row = await db().db.selectFrom('contact_groups').select('id').where('uuid', '=', g.uuid).executeTakeFirstOrThrow();
    await addMembers(t.workspace.id, row.id, 2);
    await c.post(ENDPOINT, { name: 'Farmers' });

    const upd = await c.post(`${ENDPOINT}?uuid=${g.uuid}`, { name: 'U-Reporters' });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.deepEqual(upd.json(), { uuid: g.uuid, name: 'U-Reporters', query: null, status: 'ready', system: false, count: 2 });
    assert.deepEqual((await c.get(`${ENDPOINT}?uuid=${g.uuid}`)).json().results[0].name, 'U-Reporters');
    // its own name in another case is not a clash; another group's name is
    assert.equal((await c.post(`${ENDPOINT}?uuid=${g.uuid.toUpperCase()}`, { name: 'u-reporters' })).statusCode, 200);
    assert.deepEqual((await c.post(`${ENDPOINT}?uuid=${g.uuid}`, { name: 'FARMERS' })).json(), UNIQUE);
    // updates need the same body as creates
    assert.deepEqual((await c.post(`${ENDPOINT}?uuid=${g.uuid}`, {})).json(), { name: ['This field is required.'] });

    // smart groups can be renamed (not re-queried), even while initializing
    const smart = await insertGroup(t.workspace.id, 'Adults', { group_type: 'Q', query: 'age > 18', status: 'I' });
    const renamed = await c.post(`${ENDPOINT}?uuid=${smart.uuid}`, { name: 'Grown-ups', query: 'age > 21' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.deepEqual(renamed.json(), { uuid: smart.uuid, name: 'Grown-ups', query: 'age > 18', status: 'initializing', system: false, count: 0 });

    const ot = await openTickets(t);
    const sys = await c.post(`${ENDPOINT}?uuid=${ot.uuid}`, { name: "Won't work" });
    assert.equal(sys.statusCode, 403);
    assert.deepEqual(sys.json(), { detail: 'Cannot modify system object.' });
    const status = await db().db.selectFrom('contact_groups').select('uuid').where('org_id', '=', t.workspace.id).where('group_type', '=', 'A').executeTakeFirstOrThrow();
    assert.equal((await c.post(`${ENDPOINT}?uuid=${status.uuid}`, { name: 'Status' })).statusCode, 404);

    const missing = await c.post(`${ENDPOINT}?uuid=${crypto.randomUUID()}`, { name: 'Nope' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { detail: 'Not found.' });
    const bad = await c.post(`${ENDPOINT}?uuid=xyz`, { name: 'Nope' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
    const empty = await c.post(`${ENDPOINT}?uuid=`, { name: 'Nope' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(empty.json(), { detail: "Param 'uuid':  is not a valid UUID." });
    assert.deepEqual((await c.get(`${ENDPOINT}?name=Nope`)).json().results, []);
  });

  test('delete soft-deletes and removes memberships; system, missing and bad lookups', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.editor.token);
    const g = (await c.post(ENDPOINT, { name: 'Leaving' })).json();
    const keep = (await c.post(ENDPOINT, { name: 'Staying' })).json();
    const [gRow, keepRow] = await Promise.all([g, keep].map((x) => db().db.selectFrom('contact_groups').select('id').where('uuid', '=', x.uuid).executeTakeFirstOrThrow()));
    const contacts = await addMembers(t.workspace.id, gRow.id, 3);
    await db().db.insertInto('contact_groups_contacts').values({ group_id: keepRow.id, contact_id: contacts[0] }).execute();

    const none = await c.delete(ENDPOINT);
    assert.equal(none.statusCode, 400);
    assert.deepEqual(none.json(), { detail: 'URL must contain one of the following parameters: uuid' });
    const bad = await c.delete(`${ENDPOINT}?uuid=xyz`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
    const missing = await c.delete(`${ENDPOINT}?uuid=${crypto.randomUUID()}`);
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { detail: 'Not found.' });
    const ot = await openTickets(t);
    const sys = await c.delete(`${ENDPOINT}?uuid=${ot.uuid}`);
    assert.equal(sys.statusCode, 403);
    assert.deepEqual(sys.json(), { detail: 'Cannot delete system object.' });

    const modifiedOn = async (ids: number[]) =>
      (await db().db.selectFrom('contacts').select(['id', 'modified_on']).where('id', 'in', ids).orderBy('id').execute()).map((r) => r.modified_on);
    const before = await modifiedOn(contacts);
    const outsider = (await addMembers(t.workspace.id, keepRow.id, 1))[0];
    const outsiderBefore = await modifiedOn([outsider]);

    const del = await c.delete(`${ENDPOINT}?uuid=${g.uuid}`);
    assert.equal(del.statusCode, 204);
    // former members are marked modified (contact syncs by modified_on see them leave); others are not
    const afterDelete = await modifiedOn(contacts);
    afterDelete.forEach((m, i) => assert.ok(m !== before[i] && new Date(m) >= new Date(before[i]), `contact ${i} modified_on moved`));
    assert.deepEqual(await modifiedOn([outsider]), outsiderBefore);
    assert.equal(del.body, '');
    const after = await db().db.selectFrom('contact_groups').select(['is_active']).where('id', '=', gRow.id).executeTakeFirstOrThrow();
    assert.equal(after.is_active, false);
    assert.equal(await memberships(gRow.id), 0);
    assert.equal(await memberships(keepRow.id), 2); // other groups keep their members
    assert.deepEqual((await c.get(ENDPOINT)).json().results.map((x: any) => x.name), ['Staying', 'Open Tickets']);
    assert.equal((await c.delete(`${ENDPOINT}?uuid=${g.uuid}`)).statusCode, 404);
    assert.equal((await c.post(`${ENDPOINT}?uuid=${g.uuid}`, { name: 'Back' })).statusCode, 404);
    // the name is free again
    assert.equal((await c.post(ENDPOINT, { name: 'leaving' })).statusCode, 201);
  });

  test('a group used by a trigger or campaign that is not archived cannot be deleted', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const g = (await c.post(ENDPOINT, { name: 'Customers' })).json();
    const gRow = await db().db.selectFrom('contact_groups').select('id').where('uuid', '=', g.uuid).executeTakeFirstOrThrow();
    const flow = await db().db
      .insertInto('flows')
      .values({ uuid: crypto.randomUUID(), org_id: t.workspace.id, name: 'Test', flow_type: 'message', spec_version: '13.5.0', definition: JSON.stringify({}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const trigger = await db().db
      .insertInto('triggers')
      .values({ uuid: crypto.randomUUID(), org_id: t.workspace.id, trigger_type: 'K', flow_id: flow.id, keywords: ['join'], match_type: 'F', group_ids: [gRow.id], exclude_group_ids: [gRow.id] })
      .returning('id')
      .executeTakeFirstOrThrow();

    const blocked = await c.delete(`${ENDPOINT}?uuid=${g.uuid}`);
    assert.equal(blocked.statusCode, 400);
    assert.deepEqual(blocked.json(), { detail: 'Group is being used by triggers which must be archived first.' });
    assert.equal((await c.get(`${ENDPOINT}?uuid=${g.uuid}`)).json().results.length, 1);

    await db().db.updateTable('triggers').set({ is_archived: true }).where('id', '=', trigger.id).execute();
    const campaign = await db().db
      .insertInto('campaigns')
      .values({ uuid: crypto.randomUUID(), org_id: t.workspace.id, name: 'Reminders', group_id: gRow.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const byCampaign = await c.delete(`${ENDPOINT}?uuid=${g.uuid}`);
    assert.equal(byCampaign.statusCode, 400);
    assert.deepEqual(byCampaign.json(), { detail: 'Group is being used by campaigns which must be archived first.' });
    await db().db.updateTable('campaigns').set({ is_archived: true }).where('id', '=', campaign.id).execute();
    assert.equal((await c.delete(`${ENDPOINT}?uuid=${g.uuid}`)).statusCode, 204);
    const after = await db().db.selectFrom('triggers').select(['group_ids', 'exclude_group_ids']).where('id', '=', trigger.id).executeTakeFirstOrThrow();
    assert.deepEqual([after.group_ids, after.exclude_group_ids], [[], []]);
  });

  test('workspace limit gives 409 (system and deleted groups do not count); flagged workspaces cannot write', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    await updateWorkspace(db().db, t.workspace.id, { limits: { groups: 2 } });
    assert.equal((await c.post(ENDPOINT, { name: 'One' })).statusCode, 201);
    const two = (await c.post(ENDPOINT, { name: 'Two' })).json();
    const res = await c.post(ENDPOINT, { name: 'Three' });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(res.json(), LIMIT);
    assert.deepEqual((await c.post(ENDPOINT, {})).json(), LIMIT); // before the body is validated
    assert.equal((await c.post(`${ENDPOINT}?uuid=${two.uuid}`, { name: 'Second' })).statusCode, 200); // updates still work
    assert.equal((await c.delete(`${ENDPOINT}?uuid=${two.uuid}`)).statusCode, 204);
    assert.equal((await c.post(ENDPOINT, { name: 'Three' })).statusCode, 201);
    // another workspace's groups do not count either
    assert.equal((await api.as(other.admin.token).post(ENDPOINT, { name: 'Elsewhere' })).statusCode, 201);

    await updateWorkspace(db().db, t.workspace.id, { isSuspended: true });
    const one = (await c.get(`${ENDPOINT}?name=one`)).json().results[0];
    const suspended = await c.post(`${ENDPOINT}?uuid=${one.uuid}`, { name: 'Uno' });
    assert.equal(suspended.statusCode, 400);
    assert.deepEqual(suspended.json(), {
      non_field_errors: ['Sorry, your workspace is currently suspended. To re-enable starting flows and sending messages, please contact support.'],
    });
  });

  test('pagination walks 300 groups with next and previous links', async () => {
    const t = await makeWorkspace(db().db);
    await db().db
      .insertInto('contact_groups')
      .values(Array.from({ length: 300 }, (_, i) => ({ uuid: crypto.randomUUID(), org_id: t.workspace.id, name: `G${i}`, group_type: 'M', created_on: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 7)) })))
      .execute();
    const c = api.as(t.admin.token);
    const first = (await c.get(`${ENDPOINT}?manual_only=1`, { host: 'rp.example.com' })).json();
    assert.equal(first.results.length, 250);
    assert.equal(first.previous, null);
    assert.match(first.next, /^http:\/\/rp\.example\.com\/api\/v2\/groups\.json\?cursor=[^&]+&manual_only=1$/);
    const all = await listAll(c, ENDPOINT);
    assert.equal(all.length, 301); // + Open Tickets (created with the workspace, so newest)
    assert.equal(new Set(all.map((g) => g.uuid)).size, 301);
    const second = (await c.get(new URL(first.next).pathname + new URL(first.next).search)).json();
    assert.equal(second.results.length, 50);
    assert.equal(second.next, null);
    const back = (await c.get(new URL(second.previous).pathname + new URL(second.previous).search)).json();
    assert.deepEqual(back.results.map((g: any) => g.uuid), first.results.map((g: any) => g.uuid));
    const bad = await c.get(`${ENDPOINT}?cursor=garbage!!`);
    assert.equal(bad.statusCode, 404);
    assert.deepEqual(bad.json(), { detail: 'Invalid cursor' });
  });

  test('methods and permissions', async () => {
    const put = await api.request('PUT', ENDPOINT, { headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(put.statusCode, 405);
    assert.deepEqual(put.json(), { detail: 'Method "PUT" not allowed.' });
    const anon = api.as(undefined);
    assert.equal((await anon.get(ENDPOINT)).statusCode, 403);
    assert.equal((await anon.post(ENDPOINT, { name: 'Anon' })).statusCode, 403);
    assert.equal((await anon.delete(`${ENDPOINT}?uuid=${crypto.randomUUID()}`)).statusCode, 403);
    assert.equal((await api.get('/api/v2/groups.json/')).statusCode, 200);
    const root = (await anon.get('/api/v2/.json')).json();
    for (const name of ['groups', 'labels', 'topics']) assert.equal(root[name], `http://localhost:80/api/v2/${name}`);
  });

  test('another workspace cannot list, read, update or delete the groups', async () => {
    const g = (await api.post(ENDPOINT, { name: 'Private' })).json();
    const row = await db().db.selectFrom('contact_groups').select('id').where('uuid', '=', g.uuid).executeTakeFirstOrThrow();
    await addMembers(ws.workspace.id, row.id, 1);
    const o = api.as(other.admin.token);
    const theirs = (await o.get(ENDPOINT)).json().results;
    assert.ok(!theirs.some((x: any) => x.uuid === g.uuid));
    assert.ok(theirs.every((x: any) => x.name !== 'Private'));
    assert.deepEqual((await o.get(`${ENDPOINT}?uuid=${g.uuid}`)).json().results, []);
    assert.deepEqual((await o.get(`${ENDPOINT}?name=private`)).json().results, []);
    assert.equal((await o.post(`${ENDPOINT}?uuid=${g.uuid}`, { name: 'Hijack' })).statusCode, 404);
    assert.equal((await o.delete(`${ENDPOINT}?uuid=${g.uuid}`)).statusCode, 404);
    const mine = await openTickets(ws);
    assert.equal((await o.post(`${ENDPOINT}?uuid=${mine.uuid}`, { name: 'Hijack' })).statusCode, 404);
    assert.equal((await o.delete(`${ENDPOINT}?uuid=${mine.uuid}`)).statusCode, 404);
    // untouched, and the same name is free in the other workspace
    assert.deepEqual((await api.get(`${ENDPOINT}?uuid=${g.uuid}`)).json().results, [{ ...g, count: 1 }]);
    assert.equal((await o.post(ENDPOINT, { name: 'Private' })).statusCode, 201);
  });
});
