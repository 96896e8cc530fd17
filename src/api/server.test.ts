import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, type TestWorkspace } from '../testing/api.ts';
import { updateWorkspace } from '../models/workspaces.ts';
import { removeMember, addMember } from '../models/users.ts';

forEachDatabase('API plumbing', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db, { name: 'Other', country: '', languages: [] });
    api = new ApiClient(app, ws.admin.token);
  });
  after(async () => app?.close());

  test('root lists the endpoints as absolute URLs without the suffix, anonymously', async () => {
    const res = await api.as(undefined).get('/api/v2/.json', { host: 'example.org:8080' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.workspace, 'http://example.org:8080/api/v2/workspace');
    assert.equal(body.org, undefined);
  });

  test('workspace (and its org alias) describe the token workspace', async () => {
    for (const url of ['/api/v2/workspace.json', '/api/v2/org.json', '/api/v2/workspace.json/']) {
      const res = await api.get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['x-temba-workspace'], ws.workspace.uuid);
      assert.deepEqual(res.json(), {
        uuid: ws.workspace.uuid, name: ws.workspace.name, country: 'RW', languages: ['eng', 'kin'],
        timezone: 'Africa/Kigali', date_style: 'day_first', anon: false, credits: { used: -1, remaining: -1 },
        primary_language: 'eng',
      });
    }
    const o = await api.as(other.editor.token).get('/api/v2/workspace.json');
    assert.equal(o.json().uuid, other.workspace.uuid);
    assert.equal(o.json().country, '');
    assert.equal(o.json().primary_language, null);
  });

  test('authentication failures are 403s with DRF texts', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'Authentication credentials were not provided.'],
      [{ authorization: 'Token' }, 'Invalid token header. No credentials provided.'],
      [{ authorization: 'Token a b' }, 'Invalid token header. Token string should not contain spaces.'],
      [{ authorization: 'Token NOTAREALTOKEN' }, 'Invalid token'],
      [{ authorization: 'token NOTAREALTOKEN' }, 'Invalid token'],
      [{ authorization: 'Basic' }, 'Invalid basic header. No credentials provided.'],
      [{ authorization: 'Basic a b' }, 'Invalid basic header. Credentials string should not contain spaces.'],
      [{ authorization: 'Basic !!!' }, 'Invalid basic header. Credentials not correctly base64 encoded.'],
      [{ authorization: `Basic ${Buffer.from(`nobody@example.com:${'x'}`).toString('base64')}` }, 'Invalid token or email'],
      [{ authorization: `Basic ${Buffer.from(`${ws.editor.email}:${ws.admin.token}`).toString('base64')}` }, 'Invalid token or email'],
    ];
    for (const [headers, message] of cases) {
      const res = await api.as(undefined).get('/api/v2/workspace.json', headers);
      assert.equal(res.statusCode, 403, JSON.stringify(headers));
      assert.deepEqual(res.json(), { detail: message });
    }
  });

  test('basic auth with email and token works', async () => {
    const res = await api.as(undefined).get('/api/v2/workspace.json', {
      authorization: `Basic ${Buffer.from(`${ws.admin.email}:${ws.admin.token}`).toString('base64')}`,
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().uuid, ws.workspace.uuid);
  });

  test('tokens stop working when the user is demoted to agent or removed', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.editor.token);
    assert.equal((await c.get('/api/v2/workspace.json')).statusCode, 200);
    await addMember(db().db, t.workspace.id, { email: t.editor.email, role: 'agent' });
    const demoted = await c.get('/api/v2/workspace.json');
    assert.equal(demoted.statusCode, 403);
    assert.deepEqual(demoted.json(), { detail: 'You do not have permission to perform this action.' });
    await removeMember(db().db, t.workspace.id, t.editor.userId);
    assert.equal((await c.get('/api/v2/workspace.json')).statusCode, 403);
  });

  test('unsupported methods are 405 with the method name', async () => {
    const res = await api.request('PUT', '/api/v2/workspace.json');
    assert.equal(res.statusCode, 405);
    assert.deepEqual(res.json(), { detail: 'Method "PUT" not allowed.' });
    // workspace has a fixed permission: anonymous wrong-method requests get 403 first
    const anon = await api.as(undefined).request('POST', '/api/v2/workspace.json');
    assert.equal(anon.statusCode, 403);
  });

  test('a NUL character in any filter is a 400, never a 500', async () => {
    for (const url of ['/api/v2/fields.json?key=%00', '/api/v2/globals.json?key=a%00b', '/api/v2/groups.json?name=%00', '/api/v2/contacts.json?urn=tel:%00']) {
      const res = await api.get(url);
      assert.ok(res.statusCode < 500, `${url} → ${res.statusCode} ${res.body}`);
    }
  });

  test('unknown endpoints are 404', async () => {
    const res = await api.get('/api/v2/nothing.json');
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { detail: 'Not found.' });
  });

  test('throttling by workspace and scope with Retry-After', async () => {
    const t = await makeWorkspace(db().db);
    await updateWorkspace(db().db, t.workspace.id, { apiRates: { v2: '3/hour' } });
    const c = api.as(t.admin.token);
    for (let i = 0; i < 3; i++) assert.equal((await c.get('/api/v2/workspace.json')).statusCode, 200);
    const res = await c.get('/api/v2/workspace.json');
    assert.equal(res.statusCode, 429);
    const wait = Number(res.headers['retry-after']);
    assert.ok(Number.isInteger(wait) && wait > 0 && wait <= 3600, String(res.headers['retry-after']));
    assert.match(res.json().detail, /^Request was throttled\. Expected available in \d+ seconds?\.$/);
    // the editor shares the workspace bucket; another workspace does not
    assert.equal((await api.as(t.editor.token).get('/api/v2/workspace.json')).statusCode, 429);
    assert.equal((await api.as(other.admin.token).get('/api/v2/workspace.json')).statusCode, 200);
  });
});
