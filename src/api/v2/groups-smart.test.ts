import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, type TestWorkspace } from '../../testing/api.ts';

forEachDatabase('smart groups over the API (query extension)', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    assert.equal((await api.post('/api/v2/fields.json', { name: 'Age', type: 'number' })).statusCode, 201);
    for (const [name, age] of [['Old', '70'], ['Young', '12'], ['Mid', '40']]) {
      const r = await api.post('/api/v2/contacts.json', { name, fields: { age } });
      assert.equal(r.statusCode, 201, r.body);
    }
  });
  after(async () => app?.close());

  test('POST with a query creates a smart group that is evaluated with the right count', async () => {
    const res = await api.post('/api/v2/groups.json', { name: 'Adults', query: 'age >= 18' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().query, 'fields.age >= 18'); // canonical form
    const listed = (await api.get('/api/v2/groups.json?name=adults')).json().results[0];
    assert.equal(listed.status, 'ready');
    assert.equal(listed.count, 2);
    // smart groups refuse manual membership changes
    const contact = (await api.get('/api/v2/contacts.json')).json().results[0].uuid;
    const add = await api.post('/api/v2/contact_actions.json', { contacts: [contact], action: 'add', group: 'Adults' });
    assert.equal(add.statusCode, 400);
    assert.match(JSON.stringify(add.json()), /query based/);
  });

  test('bad queries and query changes are 400s in RapidPro shape', async () => {
    const bad = await api.post('/api/v2/groups.json', { name: 'Broken', query: 'age > abc' });
    assert.equal(bad.statusCode, 400);
    assert.ok(Array.isArray(bad.json().query), bad.body);
    const byId = await api.post('/api/v2/groups.json', { name: 'Ids', query: 'id = 12' });
    assert.deepEqual(byId.json(), { query: ['You cannot create a smart group based on "id" or "group".'] });
    const unknown = await api.post('/api/v2/groups.json', { name: 'Unknown', query: 'shoe_size > 40' });
    assert.equal(unknown.statusCode, 400);
    const notText = await api.post('/api/v2/groups.json', { name: 'Num', query: 5 });
    assert.deepEqual(notText.json(), { query: ['Not a valid string.'] });
    const g = (await api.get('/api/v2/groups.json?name=adults')).json().results[0];
    const change = await api.post(`/api/v2/groups.json?uuid=${g.uuid}`, { name: 'Adults', query: 'age > 1' });
    assert.equal(change.json().query, 'fields.age >= 18', 'updates ignore the query, as upstream');
  });

  test("another workspace's fields cannot be used and its groups are not visible", async () => {
    const o = api.as(other.admin.token);
    assert.equal((await o.post('/api/v2/groups.json', { name: 'Adults', query: 'age >= 18' })).statusCode, 400);
    assert.deepEqual((await o.get('/api/v2/groups.json?name=adults')).json().results, []);
  });
});

forEachDatabase('smart groups follow contact changes made through the API', (db) => {
  let app: FastifyInstance;
  let api: ApiClient;
  before(async () => {
    app = await makeApp(db().db);
    const ws = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    await api.post('/api/v2/fields.json', { name: 'Age', type: 'number' });
    assert.equal((await api.post('/api/v2/groups.json', { name: 'Adults', query: 'age >= 18' })).statusCode, 201);
    assert.equal((await api.post('/api/v2/groups.json', { name: 'Kagames', query: 'name ~ kagame' })).statusCode, 201);
  });
  after(async () => app?.close());

  const groupsOf = async (uuid: string) =>
    (await api.get(`/api/v2/contacts.json?uuid=${uuid}`)).json().results[0].groups.map((g: any) => g.name).sort();

  test('membership after each change: create, field update, name update, block, unblock, clear', async () => {
    const c = (await api.post('/api/v2/contacts.json', { name: 'Eric', fields: { age: '30' } })).json();
    assert.deepEqual(await groupsOf(c.uuid), ['Adults']);
    await api.post(`/api/v2/contacts.json?uuid=${c.uuid}`, { fields: { age: '12' } });
    assert.deepEqual(await groupsOf(c.uuid), []);
    await api.post(`/api/v2/contacts.json?uuid=${c.uuid}`, { name: 'Eric Kagame', fields: { age: '19' } });
    assert.deepEqual(await groupsOf(c.uuid), ['Adults', 'Kagames']);
    assert.equal((await api.post('/api/v2/contact_actions.json', { contacts: [c.uuid], action: 'block' })).statusCode, 204);
    assert.deepEqual(await groupsOf(c.uuid), []);
    assert.equal((await api.post('/api/v2/contact_actions.json', { contacts: [c.uuid], action: 'unblock' })).statusCode, 204);
    assert.deepEqual(await groupsOf(c.uuid), ['Adults', 'Kagames']);
    await api.post(`/api/v2/contacts.json?uuid=${c.uuid}`, { fields: { age: '' } });
    assert.deepEqual(await groupsOf(c.uuid), ['Kagames']);
    const counts = Object.fromEntries((await api.get('/api/v2/groups.json')).json().results.map((g: any) => [g.name, g.count]));
    assert.equal(counts.Adults, 0);
    assert.equal(counts.Kagames, 1);
  });
});
