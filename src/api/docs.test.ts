import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, type TestWorkspace } from '../testing/api.ts';
import { wantsJson } from './docs.ts';

test('Accept negotiation picks the first renderer the header allows, HTML first', () => {
  assert.equal(wantsJson(undefined), false);
  assert.equal(wantsJson('*/*'), false);
  assert.equal(wantsJson('text/html,application/xhtml+xml'), false);
  assert.equal(wantsJson('application/json'), true);
  assert.equal(wantsJson('application/json, text/plain, */*'), true);
  assert.equal(wantsJson('text/html;q=0.5, application/json'), true);
  assert.equal(wantsJson('application/json;q=0, */*'), false);
});

forEachDatabase('API docs mode', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let api: ApiClient;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    // data that a real run of the endpoint would return, so an empty docs answer proves no query ran
    assert.equal((await api.post('/api/v2/labels.json', { name: 'Spam' })).statusCode, 201);
  });
  after(async () => app?.close());

  test('an endpoint without the suffix shows its docs page, anonymously, with no data', async () => {
    for (const url of ['/api/v2/labels', '/api/v2/labels/', '/api/v2/contacts?format=json']) {
      const res = await api.as(undefined).get(url, { accept: 'text/html' });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.match(res.body, /<h1>(labels|contacts)<\/h1>/);
      assert.doesNotMatch(res.body, /Spam/);
    }
  });

  test('negotiating JSON gives the empty shapes: [] for lists, {} for definitions', async () => {
    const json = { accept: 'application/json' };
    const labels = await api.get('/api/v2/labels', json);
    assert.equal(labels.statusCode, 200);
    assert.equal(labels.body, '[]');
    assert.equal(labels.headers['x-temba-workspace'], ws.workspace.uuid);
    assert.equal((await api.as(undefined).get('/api/v2/messages', json)).body, '[]');
    assert.equal((await api.as(undefined).get('/api/v2/definitions', json)).body, '{}');
  });

  test('only GET: any other method gets 403 with the docs page', async () => {
    const res = await api.request('POST', '/api/v2/labels', { headers: { 'content-type': 'application/json', accept: 'text/html' }, payload: '{"name":"Ham"}' });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /<h1>labels<\/h1>/);
    assert.equal((await api.get('/api/v2/labels.json')).json().results.length, 1, 'nothing was created');
    const del = await api.request('DELETE', '/api/v2/contacts', { headers: { accept: 'application/json' } });
    assert.equal(del.statusCode, 403);
    assert.deepEqual(del.json(), { detail: 'You do not have permission to perform this action.' });
  });

  test('credentials that are sent must still be valid', async () => {
    const res = await api.as(undefined).get('/api/v2/labels', { authorization: 'Token NOTAREALTOKEN', accept: 'application/json' });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), { detail: 'Invalid token' });
  });

  test('the root shows an index of the listed endpoints, or the JSON listing', async () => {
    const html = await api.as(undefined).get('/api/v2/', { host: 'example.org' });
    assert.equal(html.statusCode, 200);
    assert.match(html.body, /href="http:\/\/example\.org\/api\/v2\/contacts"/);
    assert.doesNotMatch(html.body, /channel_events/);
    const json = await api.as(undefined).get('/api/v2/', { host: 'example.org', accept: 'application/json' });
    assert.equal(json.json().contacts, 'http://example.org/api/v2/contacts');
    const redirect = await api.as(undefined).get('/api/');
    assert.equal(redirect.statusCode, 302);
    assert.equal(redirect.headers.location, '/api/v2/');
  });
});
