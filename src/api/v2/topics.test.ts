import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { updateWorkspace } from '../../models/workspaces.ts';

const ENDPOINT = '/api/v2/topics.json';
const UNIQUE = { name: ['This field must be unique.'] };
const LIMIT = { detail: 'Cannot create object because workspace has reached limit.' };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/;

forEachDatabase('topics endpoint', (db) => {
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

  const general = (t: TestWorkspace) =>
    db().db.selectFrom('topics').select(['id', 'uuid', 'created_on']).where('org_id', '=', t.workspace.id).where('is_system', '=', true).executeTakeFirstOrThrow();

  async function addTickets(t: TestWorkspace, topicUuid: string, open: number, closed: number) {
    const topic = await db().db.selectFrom('topics').select('id').where('uuid', '=', topicUuid).executeTakeFirstOrThrow();
    const rows = [...Array(open).fill('O'), ...Array(closed).fill('C')].map((status) => ({ uuid: crypto.randomUUID(), org_id: t.workspace.id, topic_id: topic.id, status }));
    if (rows.length) await db().db.insertInto('tickets').values(rows).execute();
  }

  test('lists the default topic "General", created topics newest first, with ticket counts', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.editor.token);
    const g = await general(t);
    const initial = (await c.get(ENDPOINT)).json();
    assert.equal(initial.next, null);
    assert.equal(initial.previous, null);
    assert.deepEqual(initial.results, [{ uuid: g.uuid, name: 'General', counts: { open: 0, closed: 0 }, system: true, created_on: initial.results[0].created_on }]);
    assert.match(initial.results[0].created_on, ISO);

    const created = await c.post(ENDPOINT, { name: ' Support ' });
    assert.equal(created.statusCode, 201, created.body);
    const support = created.json();
    assert.deepEqual(support, { uuid: support.uuid, name: 'Support', counts: { open: 0, closed: 0 }, system: false, created_on: support.created_on });
    assert.match(support.created_on, ISO);
    assert.match(support.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const sales = (await c.post(ENDPOINT, { name: 'Sales' })).json();
    await addTickets(t, support.uuid, 2, 1);
    await addTickets(t, g.uuid, 0, 4);

    const list = (await c.get(ENDPOINT)).json().results;
    assert.deepEqual(list.map((x: any) => [x.name, x.counts, x.system]), [
      ['Sales', { open: 0, closed: 0 }, false],
      ['Support', { open: 2, closed: 1 }, false],
      ['General', { open: 0, closed: 4 }, true],
    ]);
    assert.deepEqual(Object.keys(list[0]), ['uuid', 'name', 'counts', 'system', 'created_on']);
    assert.equal(list[0].uuid, sales.uuid);
    assert.equal(list[0].created_on, sales.created_on);
    // no filters on this endpoint: a uuid param is ignored
    assert.equal((await c.get(`${ENDPOINT}?uuid=${sales.uuid}`)).json().results.length, 3);
  });

  test('validation messages', async () => {
    const cases: [unknown, unknown][] = [
      [{}, { name: ['This field is required.'] }],
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: [] }, { name: ['Not a valid string.'] }],
      [{ name: '"Hi"' }, { name: ['Cannot contain the character: "'] }],
      [{ name: 'x'.repeat(65) }, { name: ['Cannot be longer than 64 characters.', 'Ensure this field has no more than 64 characters.'] }],
      [{ name: 'a\u0000b' }, { name: ['Cannot contain null characters.', 'Null characters are not allowed.'] }],
      [{ name: 'general' }, UNIQUE],
      ['7', { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    assert.equal((await api.post(ENDPOINT, { name: 'Food' })).statusCode, 201);
    assert.deepEqual((await api.post(ENDPOINT, { name: 'FOOD' })).json(), UNIQUE);
  });

  test('update renames by uuid; the default topic is read-only; unknown and malformed uuids', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const support = (await c.post(ENDPOINT, { name: 'Support' })).json();
    await addTickets(t, support.uuid, 1, 0);
    const upd = await c.post(`${ENDPOINT}?uuid=${support.uuid}`, { name: 'Support Tickets' });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.deepEqual(upd.json(), { ...support, name: 'Support Tickets', counts: { open: 1, closed: 0 } });
    assert.equal((await c.post(`${ENDPOINT}?uuid=${support.uuid}`, { name: 'SUPPORT TICKETS' })).statusCode, 200);
    const clash = await c.post(`${ENDPOINT}?uuid=${support.uuid}`, { name: 'General' });
    assert.equal(clash.statusCode, 400);
    assert.deepEqual(clash.json(), UNIQUE);

    const g = await general(t);
    const sys = await c.post(`${ENDPOINT}?uuid=${g.uuid}`, { name: "Won't work" });
    assert.equal(sys.statusCode, 403);
    assert.deepEqual(sys.json(), { detail: 'Cannot modify system object.' });
    const missing = await c.post(`${ENDPOINT}?uuid=${crypto.randomUUID()}`, { name: 'Nope' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { detail: 'Not found.' });
    const bad = await c.post(`${ENDPOINT}?uuid=1234`, { name: 'Nope' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': 1234 is not a valid UUID." });
  });

  test('there is no DELETE', async () => {
    const t = await makeWorkspace(db().db);
    const topic = (await api.as(t.admin.token).post(ENDPOINT, { name: 'Stays' })).json();
    const del = await api.as(t.admin.token).delete(`${ENDPOINT}?uuid=${topic.uuid}`);
    assert.equal(del.statusCode, 405);
    assert.deepEqual(del.json(), { detail: 'Method "DELETE" not allowed.' });
    assert.equal((await api.as(undefined).delete(ENDPOINT)).statusCode, 405); // model-backed: 405 before authentication
    assert.equal((await api.as(undefined).get(ENDPOINT)).statusCode, 403);
    assert.equal((await api.as(t.admin.token).get(ENDPOINT)).json().results.length, 2);
  });

  test('workspace limit gives 409 (the default topic does not count); flagged workspaces cannot write', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    await updateWorkspace(db().db, t.workspace.id, { limits: { topics: 1 } });
    const one = (await c.post(ENDPOINT, { name: 'One' })).json();
    assert.equal(one.name, 'One');
    const res = await c.post(ENDPOINT, { name: 'Two' });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(res.json(), LIMIT);
    assert.equal((await c.post(`${ENDPOINT}?uuid=${one.uuid}`, { name: 'Uno' })).statusCode, 200);
    await updateWorkspace(db().db, t.workspace.id, { limits: {} });
    let n = 1;
    while (n < 50) assert.equal((await c.post(ENDPOINT, { name: `Topic ${++n}` })).statusCode, 201, `topic ${n}`);
    assert.deepEqual((await c.post(ENDPOINT, { name: 'Fifty-one' })).json(), LIMIT); // default limit 50

    await updateWorkspace(db().db, t.workspace.id, { isFlagged: true });
    const flagged = await c.post(`${ENDPOINT}?uuid=${one.uuid}`, { name: 'Eins' });
    assert.equal(flagged.statusCode, 400);
    assert.deepEqual(flagged.json(), {
      non_field_errors: ['Sorry, your workspace is currently flagged. To re-enable starting flows and sending messages, please contact support.'],
    });
  });

  test('pagination walks 255 topics', async () => {
    const t = await makeWorkspace(db().db);
    await db().db
      .insertInto('topics')
      .values(Array.from({ length: 254 }, (_, i) => ({ uuid: crypto.randomUUID(), org_id: t.workspace.id, name: `T${i}`, created_on: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 2)) })))
      .execute();
    const c = api.as(t.admin.token);
    const first = (await c.get(ENDPOINT)).json();
    assert.equal(first.results.length, 250);
    assert.equal(first.results[0].name, 'General');
    const all = await listAll(c, ENDPOINT);
    assert.equal(all.length, 255);
    assert.equal(new Set(all.map((x) => x.uuid)).size, 255);
  });

  test('another workspace cannot list or update the topics', async () => {
    const topic = (await api.post(ENDPOINT, { name: 'Private' })).json();
    await addTickets(ws, topic.uuid, 1, 1);
    const o = api.as(other.admin.token);
    const theirs = (await o.get(ENDPOINT)).json().results;
    assert.deepEqual(theirs.map((x: any) => x.name), ['General']);
    assert.deepEqual(theirs[0].counts, { open: 0, closed: 0 });
    assert.equal((await o.post(`${ENDPOINT}?uuid=${topic.uuid}`, { name: 'Hijack' })).statusCode, 404);
    const mine = await general(ws);
    assert.equal((await o.post(`${ENDPOINT}?uuid=${mine.uuid}`, { name: 'Hijack' })).statusCode, 404);
    assert.deepEqual((await api.get(ENDPOINT)).json().results[0], { ...topic, counts: { open: 1, closed: 1 } });
    assert.equal((await o.post(ENDPOINT, { name: 'Private' })).statusCode, 201);
  });
});
