import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { updateWorkspace } from '../../models/workspaces.ts';

const ENDPOINT = '/api/v2/fields.json';

forEachDatabase('fields endpoint', (db) => {
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

  test('create, list, filter, update', async () => {
    const res = await api.post(ENDPOINT, { name: 'Registered On', type: 'datetime' });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), {
      key: 'registered_on', name: 'Registered On', type: 'datetime', featured: false, priority: 0,
      usages: { campaign_events: 0, flows: 0, groups: 0 }, agent_access: 'view', label: 'Registered On', value_type: 'datetime',
    });
    const legacy = await api.post(ENDPOINT, { label: 'Age', value_type: 'numeric' });
    assert.equal(legacy.statusCode, 201, legacy.body);
    assert.equal(legacy.json().type, 'number');
    assert.equal(legacy.json().value_type, 'numeric');

    const list = await api.get(ENDPOINT);
    assert.equal(list.statusCode, 200);
    const page = list.json();
    assert.deepEqual(page.results.map((f: any) => f.key), ['age', 'registered_on']); // newest first, no system fields
    assert.equal(page.next, null);
    assert.equal(page.previous, null);
    assert.deepEqual((await api.get(`${ENDPOINT}?key=age`)).json().results.map((f: any) => f.key), ['age']);

    const upd = await api.post(`${ENDPOINT}?key=age`, { name: 'Age In Years', type: 'text' });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal(upd.json().key, 'age');
    assert.equal(upd.json().name, 'Age In Years');
    assert.equal(upd.json().type, 'text');
  });

  test('validation messages', async () => {
    const cases: [unknown, unknown][] = [
      [{}, { non_field_errors: ["Field 'name' is required."] }],
      [{ name: 'Thing' }, { non_field_errors: ["Field 'type' is required."] }],
      [{ name: 'Bad!', type: 'text' }, { name: ['Can only contain letters, numbers and hypens.'] }],
      [{ name: 'x'.repeat(37), type: 'text' }, { name: ['Ensure this field has no more than 36 characters.'] }],
      [{ name: 'Has', type: 'text' }, { name: ['Generated key "has" is invalid or a reserved name.'] }],
      [{ name: '1st', type: 'text' }, { name: ['Generated key "1st" is invalid or a reserved name.'] }],
      [{ name: 'Created On', type: 'text' }, { name: ['Generated key "created_on" is invalid or a reserved name.'] }],
      [{ name: 'Video', type: 'video' }, { type: ['"video" is not a valid choice.'] }],
      [{ name: '', type: 'text' }, { name: ['This field may not be blank.'] }],
      [{ name: null, type: 'text' }, { name: ['This field may not be null.'] }],
      [{ name: ['x'], type: 'text' }, { name: ['Not a valid string.'] }],
      [[1, 2], { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    await api.post(ENDPOINT, { name: 'Unique One', type: 'text' });
    const dup = await api.post(ENDPOINT, { label: 'UNIQUE ONE', type: 'text' });
    assert.deepEqual(dup.json(), { label: ['This field must be unique.'] });
    const bad = await api.post(ENDPOINT, '{"name": ', {});
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /^JSON parse error - /);
    const ct = await api.post(ENDPOINT, 'name=x', { 'content-type': 'text/plain' });
    assert.equal(ct.statusCode, 415);
    assert.deepEqual(ct.json(), { detail: 'Unsupported media type "text/plain" in request.' });
  });

  test('unknown key on update is 404; DELETE is 405', async () => {
    assert.equal((await api.post(`${ENDPOINT}?key=nope`, { name: 'Nope', type: 'text' })).statusCode, 404);
    const del = await api.delete(`${ENDPOINT}?key=age`);
    assert.equal(del.statusCode, 405);
    assert.deepEqual(del.json(), { detail: 'Method "DELETE" not allowed.' });
    // model-backed endpoint: 405 even without credentials
    assert.equal((await api.as(undefined).delete(ENDPOINT)).statusCode, 405);
  });

  test('form-encoded bodies work', async () => {
    const res = await api.request('POST', ENDPOINT, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=Form+Field&type=number' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().key, 'form_field');
  });

  test('workspace limit gives 409; flagged workspaces cannot write', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    await updateWorkspace(db().db, t.workspace.id, { limits: { fields: 2 } });
    assert.equal((await c.post(ENDPOINT, { name: 'One', type: 'text' })).statusCode, 201);
    assert.equal((await c.post(ENDPOINT, { name: 'Two', type: 'text' })).statusCode, 201);
    const res = await c.post(ENDPOINT, { name: 'Three', type: 'text' });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(res.json(), { detail: 'Cannot create object because workspace has reached limit.' });
    assert.equal((await c.post(`${ENDPOINT}?key=one`, { name: 'One', type: 'number' })).statusCode, 200); // updates still work
    await updateWorkspace(db().db, t.workspace.id, { isFlagged: true });
    const flagged = await c.post(`${ENDPOINT}?key=one`, { name: 'One', type: 'text' });
    assert.equal(flagged.statusCode, 400);
    assert.match(flagged.json().non_field_errors[0], /currently flagged/);
  });

  test('pagination walks 300 fields with next and previous links', async () => {
    const t = await makeWorkspace(db().db);
    await updateWorkspace(db().db, t.workspace.id, { limits: { fields: 1000 } });
    await db().db
      .insertInto('contact_fields')
      .values(Array.from({ length: 300 }, (_, i) => ({ uuid: crypto.randomUUID(), org_id: t.workspace.id, key: `f${i}`, name: `F${i}`, value_type: 'text', created_on: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 10)) })))
      .execute();
    const c = api.as(t.admin.token);
    const first = (await c.get(`${ENDPOINT}?foo=bar`, { host: 'rp.example.com' })).json();
    assert.equal(first.results.length, 250);
    assert.equal(first.previous, null);
    assert.match(first.next, /^http:\/\/rp\.example\.com\/api\/v2\/fields\.json\?cursor=[^&]+&foo=bar$/);
    const all = await listAll(c, ENDPOINT);
    assert.equal(all.length, 300);
    assert.equal(new Set(all.map((f) => f.key)).size, 300);
    const second = (await c.get(new URL(first.next).pathname + new URL(first.next).search)).json();
    assert.equal(second.results.length, 50);
    assert.equal(second.next, null);
    const back = (await c.get(new URL(second.previous).pathname + new URL(second.previous).search)).json();
    assert.deepEqual(back.results.map((f: any) => f.key), first.results.map((f: any) => f.key));
    const bad = await c.get(`${ENDPOINT}?cursor=garbage!!`);
    assert.equal(bad.statusCode, 404);
    assert.deepEqual(bad.json(), { detail: 'Invalid cursor' });
  });

  test('another workspace cannot see or update the fields', async () => {
    const o = api.as(other.admin.token);
    assert.deepEqual((await o.get(ENDPOINT)).json().results, []);
    assert.deepEqual((await o.get(`${ENDPOINT}?key=registered_on`)).json().results, []);
    assert.equal((await o.post(`${ENDPOINT}?key=registered_on`, { name: 'Hijack', type: 'text' })).statusCode, 404);
    // and the same name is free in the other workspace
    assert.equal((await o.post(ENDPOINT, { name: 'Registered On', type: 'text' })).statusCode, 201);
  });
});
