import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { updateWorkspace } from '../../models/workspaces.ts';

const ENDPOINT = '/api/v2/globals.json';
const keysOf = (res: { json(): any }) => res.json().results.map((g: any) => g.key);

forEachDatabase('globals endpoint', (db) => {
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

  test('create, list newest-modified first, reverse, filter by key, update the value only', async () => {
    // a deleted global with the same key is neither listed nor in the way
    await db().db
      .insertInto('globals')
      .values({ uuid: crypto.randomUUID(), org_id: ws.workspace.id, key: 'org_name', name: 'Org Name (deleted)', value: 'old', is_active: false })
      .execute();

    const created = await api.post(ENDPOINT, { name: 'Org Name', value: 'Acme Ltd' });
    assert.equal(created.statusCode, 201, created.body);
    const g1 = created.json();
    assert.deepEqual(Object.keys(g1), ['key', 'name', 'value', 'modified_on']);
    assert.equal(g1.key, 'org_name');
    assert.equal(g1.name, 'Org Name');
    assert.equal(g1.value, 'Acme Ltd');
    assert.match(g1.modified_on, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/);

    const g2res = await api.as(ws.editor.token).post(ENDPOINT, { name: 'Access Token', value: 23464373 });
    assert.equal(g2res.statusCode, 201, g2res.body);
    const g2 = g2res.json();
    assert.deepEqual(g2, { key: 'access_token', name: 'Access Token', value: '23464373', modified_on: g2.modified_on });

    const list = await api.get(ENDPOINT);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), { next: null, previous: null, results: [g2, g1] });
    assert.deepEqual(keysOf(await api.get(`${ENDPOINT}?reverse=TrUe`)), ['org_name', 'access_token']);
    assert.deepEqual(keysOf(await api.get(`${ENDPOINT}?reverse=no`)), ['access_token', 'org_name']);
    assert.deepEqual(keysOf(await api.get(`${ENDPOINT}?key=org_name`)), ['org_name']);
    assert.deepEqual(keysOf(await api.get(`${ENDPOINT}?key=Org_Name`)), []);
    assert.deepEqual(keysOf(await api.get(`${ENDPOINT}?key=`)), ['access_token', 'org_name']);

    // before/after are inclusive, on modified_on
    assert.deepEqual(keysOf(await api.get(`${ENDPOINT}?before=${encodeURIComponent(g1.modified_on)}`)), ['org_name']);
    assert.deepEqual(keysOf(await api.get(`${ENDPOINT}?after=${encodeURIComponent(g1.modified_on)}`)), ['access_token', 'org_name']);
    assert.deepEqual(keysOf(await api.get(`${ENDPOINT}?after=${encodeURIComponent(g2.modified_on)}`)), ['access_token']);
    // unparseable datetimes give an empty list, not an error
    for (const q of ['before=garbage', 'after=2020-13-45', 'after=yesterday&before=2030-01-01']) {
      const res = await api.get(`${ENDPOINT}?${q}`);
      assert.equal(res.statusCode, 200, q);
      assert.deepEqual(res.json(), { next: null, previous: null, results: [] }, q);
    }

    // update: only the value changes (the name is validated but ignored); it becomes the newest
    const upd = await api.post(`${ENDPOINT}?key=org_name`, { value: 'Acme LLC', name: 'Other Name' });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.equal(upd.json().key, 'org_name');
    assert.equal(upd.json().name, 'Org Name');
    assert.equal(upd.json().value, 'Acme LLC');
    assert.ok(upd.json().modified_on > g1.modified_on);
    assert.deepEqual(keysOf(await api.get(ENDPOINT)), ['org_name', 'access_token']);
    assert.equal((await api.get(`${ENDPOINT}?key=org_name`)).json().results[0].value, 'Acme LLC');
  });

  test('a new name whose key is taken sets that global\'s value (upstream get_or_create quirk)', async () => {
    const res = await api.post(ENDPOINT, { name: 'org-name', value: 'Collided' });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual({ ...(res.json() as object), modified_on: undefined }, { key: 'org_name', name: 'Org Name', value: 'Collided', modified_on: undefined });
    const all = await listAll(api, ENDPOINT);
    assert.equal(all.filter((g) => g.key === 'org_name').length, 1);
    assert.equal(all.find((g) => g.key === 'org_name').value, 'Collided');
  });

  test('validation messages', async () => {
    const cases: [unknown, unknown][] = [
      [{ value: 'yes' }, { non_field_errors: ['Name is required when creating new global.'] }],
      [{}, { value: ['This field is required.'] }],
      [{ name: '!!!#$%^' }, { value: ['This field is required.'], name: ['Name contains illegal characters.'] }],
      [{ name: 'Dot.Name', value: 'x' }, { name: ['Name contains illegal characters.'] }],
      [{ name: '2cool key', value: '23464373' }, { name: ['Name creates Key that is invalid'] }],
      [{ name: '---', value: 'x' }, { name: ['Name creates Key that is invalid'] }],
      [{ name: 'x'.repeat(37), value: 'x' }, { name: ['Ensure this field has no more than 36 characters.'] }],
      [{ name: 'Org Name', value: 'x' }, { name: ['This field must be unique.'] }],
      [{ name: 'ACCESS TOKEN', value: 'x' }, { name: ['This field must be unique.'] }],
      [{ name: '', value: 'x' }, { name: ['This field may not be blank.'] }],
      [{ name: null, value: 'x' }, { name: ['This field may not be null.'] }],
      [{ name: 'Thing', value: '' }, { value: ['This field may not be blank.'] }],
      [{ name: 'Thing', value: '   ' }, { value: ['This field may not be blank.'] }],
      [{ name: 'Thing', value: null }, { value: ['This field may not be null.'] }],
      [{ name: 'Thing', value: ['x'] }, { value: ['Not a valid string.'] }],
      [{ name: 'Thing', value: { a: 1 } }, { value: ['Not a valid string.'] }],
      [{ name: 'Thing', value: 'x'.repeat(10001) }, { value: ['Ensure this field has no more than 10000 characters.'] }],
      [{ name: 'Thing', value: 'a\0b' }, { value: ['Null characters are not allowed.'] }],
      [[1, 2], { non_field_errors: ['Request body should be a single JSON object'] }],
      ['"just a string"', { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    // the longest value and name are fine; values are trimmed
    const big = await api.post(ENDPOINT, { name: 'y'.repeat(36), value: ` ${'v'.repeat(10000)} ` });
    assert.equal(big.statusCode, 201, big.body);
    assert.equal(big.json().value.length, 10000);

    // updates need a value and still validate a given name
    const updCases: [unknown, unknown][] = [
      [{}, { value: ['This field is required.'] }],
      [{ name: 'Org Name' }, { value: ['This field is required.'] }],
      [{ value: 'x', name: 'Bad!' }, { name: ['Name contains illegal characters.'] }],
      [{ value: 'x', name: 'Access Token' }, { name: ['This field must be unique.'] }],
    ];
    for (const [body, expected] of updCases) {
      const res = await api.post(`${ENDPOINT}?key=org_name`, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    // its own name is not a duplicate of itself
    assert.equal((await api.post(`${ENDPOINT}?key=org_name`, { value: 'x', name: 'ORG NAME' })).statusCode, 200);

    const bad = await api.post(ENDPOINT, '{"name": ');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /^JSON parse error - /);
    const ct = await api.post(ENDPOINT, 'name=x', { 'content-type': 'text/plain' });
    assert.equal(ct.statusCode, 415);
    assert.deepEqual(ct.json(), { detail: 'Unsupported media type "text/plain" in request.' });
  });

  test('form-encoded bodies work', async () => {
    const res = await api.request('POST', ENDPOINT, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=Form+Global&value=hello+there' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().key, 'form_global');
    assert.equal(res.json().value, 'hello there');
  });

  test('unknown or empty key on update is 404; DELETE, PUT are 405; anonymous requests are refused', async () => {
    const nope = await api.post(`${ENDPOINT}?key=nope`, { value: 'x' });
    assert.equal(nope.statusCode, 404);
    assert.deepEqual(nope.json(), { detail: 'Not found.' });
    assert.equal((await api.post(`${ENDPOINT}?key=`, { value: 'x', name: 'Via Empty Key' })).statusCode, 404);
    const del = await api.delete(`${ENDPOINT}?key=org_name`);
    assert.equal(del.statusCode, 405);
    assert.deepEqual(del.json(), { detail: 'Method "DELETE" not allowed.' });
    assert.equal((await api.request('PUT', ENDPOINT)).statusCode, 405);
    // model-backed endpoint: 405 even without credentials
    assert.equal((await api.as(undefined).delete(ENDPOINT)).statusCode, 405);
    const anon = await api.as(undefined).get(ENDPOINT);
    assert.equal(anon.statusCode, 403);
    assert.deepEqual(anon.json(), { detail: 'Authentication credentials were not provided.' });
  });

  test('workspace limit gives 409 before the body is validated; flagged and suspended workspaces cannot write', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    await updateWorkspace(db().db, t.workspace.id, { limits: { globals: 2 } });
    assert.equal((await c.post(ENDPOINT, { name: 'One', value: '1' })).statusCode, 201);
    assert.equal((await c.post(ENDPOINT, { name: 'Two', value: '2' })).statusCode, 201);
    for (const body of [{ name: 'Three', value: '3' }, {}, { name: 'one', value: 'collides' }]) {
      const res = await c.post(ENDPOINT, body);
      assert.equal(res.statusCode, 409, JSON.stringify(body));
      assert.deepEqual(res.json(), { detail: 'Cannot create object because workspace has reached limit.' });
    }
    assert.equal((await c.post(`${ENDPOINT}?key=one`, { value: 'uno' })).statusCode, 200); // updates still work

    await updateWorkspace(db().db, t.workspace.id, { isFlagged: true });
    const flagged = await c.post(`${ENDPOINT}?key=one`, { value: 'x' });
    assert.equal(flagged.statusCode, 400);
    assert.deepEqual(flagged.json(), {
      non_field_errors: ['Sorry, your workspace is currently flagged. To re-enable starting flows and sending messages, please contact support.'],
    });
    await updateWorkspace(db().db, t.workspace.id, { isFlagged: false, isSuspended: true });
    const suspended = await c.post(`${ENDPOINT}?key=one`, { value: 'x' });
    assert.equal(suspended.statusCode, 400);
    assert.match(suspended.json().non_field_errors[0], /currently suspended/);
    assert.equal((await c.get(`${ENDPOINT}?key=one`)).json().results[0].value, 'uno');
  });

  test('pagination walks 300 globals both ways, in both orders', async () => {
    const t = await makeWorkspace(db().db);
    await db().db
      .insertInto('globals')
      .values(Array.from({ length: 300 }, (_, i) => ({
        uuid: crypto.randomUUID(), org_id: t.workspace.id, key: `g${i}`, name: `G${i}`, value: String(i),
        modified_on: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 10)),
      })))
      .execute();
    const c = api.as(t.admin.token);
    for (const reverse of [false, true]) {
      const qs = reverse ? '?reverse=1' : '';
      const first = (await c.get(`${ENDPOINT}${qs}`, { host: 'rp.example.com' })).json();
      assert.equal(first.results.length, 250);
      assert.equal(first.previous, null);
      assert.match(first.next, /^http:\/\/rp\.example\.com\/api\/v2\/globals\.json\?cursor=[^&]+/);
      assert.equal(new URL(first.next).searchParams.get('reverse'), reverse ? '1' : null);
      const all = await listAll(c, `${ENDPOINT}${qs}`);
      assert.equal(all.length, 300);
      assert.equal(new Set(all.map((g) => g.key)).size, 300);
      const stamps = all.map((g) => g.modified_on);
      const sorted = [...stamps].sort();
      assert.deepEqual(stamps, reverse ? sorted : sorted.reverse());
      const second = (await c.get(new URL(first.next).pathname + new URL(first.next).search)).json();
      assert.equal(second.results.length, 50);
      assert.equal(second.next, null);
      const back = (await c.get(new URL(second.previous).pathname + new URL(second.previous).search)).json();
      assert.deepEqual(back.results.map((g: any) => g.key), first.results.map((g: any) => g.key));
    }
    const bad = await c.get(`${ENDPOINT}?cursor=garbage!!`);
    assert.equal(bad.statusCode, 404);
    assert.deepEqual(bad.json(), { detail: 'Invalid cursor' });
  });

  test('another workspace cannot see or update the globals', async () => {
    const o = api.as(other.admin.token);
    assert.deepEqual((await o.get(ENDPOINT)).json().results, []);
    assert.deepEqual((await o.get(`${ENDPOINT}?key=org_name`)).json().results, []);
    assert.equal((await o.post(`${ENDPOINT}?key=org_name`, { value: 'hijacked' })).statusCode, 404);
    assert.equal((await o.delete(`${ENDPOINT}?key=org_name`)).statusCode, 405);
    // the same name is free in the other workspace and creates a separate global
    const mine = await o.post(ENDPOINT, { name: 'Org Name', value: 'Theirs' });
    assert.equal(mine.statusCode, 201);
    assert.deepEqual(keysOf(await o.get(ENDPOINT)), ['org_name']);
    assert.notEqual((await api.get(`${ENDPOINT}?key=org_name`)).json().results[0].value, 'Theirs');
    assert.notEqual((await api.get(`${ENDPOINT}?key=org_name`)).json().results[0].value, 'hijacked');
  });
});
