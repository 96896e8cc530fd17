import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';

forEachDatabase('contacts search (?query= extension)', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    await api.post('/api/v2/fields.json', { name: 'Age', type: 'number' });
    await api.post('/api/v2/fields.json', { name: 'District', type: 'text' });
    const people: [string, string, string, string][] = [
      ['Jean Bosco', '+250788100001', '34', 'Gasabo'],
      ['Marie Claire', '+250788100002', '17', 'Kicukiro'],
      ['Joseph Habimana', '+250788200003', '52', 'Gasabo'],
    ];
    for (const [name, tel, age, district] of people) {
      const r = await api.post('/api/v2/contacts.json', { name, urns: [`tel:${tel}`], fields: { age, district } });
      assert.equal(r.statusCode, 201, r.body);
    }
    // a look-alike elsewhere must never match
    await api.as(other.admin.token).post('/api/v2/contacts.json', { name: 'Jean Bosco', urns: ['tel:+250788100001'] });
  });
  after(async () => app?.close());

  const names = async (query: string) =>
    (await listAll(api, `/api/v2/contacts.json?query=${encodeURIComponent(query)}`)).map((c) => c.name).sort();

  test('queries filter contacts with the usual pagination', async () => {
    assert.deepEqual(await names('age > 18'), ['Jean Bosco', 'Joseph Habimana']);
    assert.deepEqual(await names('district = gasabo AND age < 40'), ['Jean Bosco']);
    assert.deepEqual(await names('name ~ jo'), ['Joseph Habimana']);
    assert.deepEqual(await names('tel ~ 788100'), ['Jean Bosco', 'Marie Claire']);
    assert.deepEqual(await names('marie'), ['Marie Claire']);
    assert.deepEqual(await names('0788200003'), ['Joseph Habimana']);
    assert.deepEqual(await names('age = ""'), []);
    const res = await api.get('/api/v2/contacts.json?query=age%20%3E%2018&reverse=true');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().next, null);
  });

  test('a bad query is a 400 with RapidPro\'s message under "query"', async () => {
    for (const q of ['age > abc', 'shoe_size = 3', '(age > 1', 'group = nobody']) {
      const res = await api.get(`/api/v2/contacts.json?query=${encodeURIComponent(q)}`);
      assert.equal(res.statusCode, 400, q);
      const body = res.json();
      assert.deepEqual(Object.keys(body), ['query']);
      assert.equal(typeof body.query[0], 'string');
    }
    assert.match((await api.get(`/api/v2/contacts.json?query=${encodeURIComponent('age > abc')}`)).json().query[0], /abc/);
  });

  test('another workspace searches only its own contacts and fields', async () => {
    const o = api.as(other.admin.token);
    assert.deepEqual((await o.get(`/api/v2/contacts.json?query=${encodeURIComponent('jean')}`)).json().results.length, 1);
    assert.equal((await o.get(`/api/v2/contacts.json?query=${encodeURIComponent('age > 1')}`)).statusCode, 400);
  });
});
