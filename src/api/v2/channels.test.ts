import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, type TestWorkspace } from '../../testing/api.ts';
import { createChannel } from '../../models/channels.ts';

forEachDatabase('channels and channel_events endpoints', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  let ex: string;
  let tg: string;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    ex = (await createChannel(db().db, ws.workspace, { type: 'EX', name: 'External', address: '+250788000001', config: { send_url: 'http://127.0.0.1:9/' } })).uuid;
    tg = (await createChannel(db().db, ws.workspace, { type: 'TG', name: 'Bot', address: 'mybot', config: { auth_token: 'x' } })).uuid;
  });
  after(async () => app?.close());

  test('list, filters, shape, isolation', async () => {
    const res = await api.get('/api/v2/channels.json');
    assert.equal(res.statusCode, 200);
    const list = res.json().results;
    assert.deepEqual(list.map((c: any) => c.uuid), [tg, ex]);
    assert.deepEqual(Object.keys(list[0]), ['uuid', 'name', 'address', 'type', 'country', 'device', 'last_seen', 'created_on']);
    assert.equal(list[0].type, 'telegram');
    assert.equal(list[1].type, 'external');
    assert.equal(list[1].country, 'RW');
    assert.equal(list[1].device, null);
    assert.equal(list[1].last_seen, null);
    assert.deepEqual((await api.get(`/api/v2/channels.json?uuid=${ex}`)).json().results.map((c: any) => c.name), ['External']);
    assert.deepEqual((await api.get('/api/v2/channels.json?address=mybot')).json().results.map((c: any) => c.name), ['Bot']);
    assert.deepEqual((await api.get(`/api/v2/channels.json?uuid=${randomUUID()}`)).json().results, []);
    assert.deepEqual((await api.get('/api/v2/channels.json?uuid=xyz')).json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
    assert.deepEqual((await api.as(other.admin.token).get('/api/v2/channels.json')).json().results, []);
    assert.equal((await api.post('/api/v2/channels.json', {})).statusCode, 405);
  });

  test('channel events from callbacks: stop-contact is listed and filtered', async () => {
    const stop = await app.inject({ method: 'POST', url: `/c/ex/${ex}/stopped`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'from=%2B250788444444' });
    assert.equal(stop.statusCode, 200, stop.body);
    const events = (await api.get('/api/v2/channel_events.json')).json().results;
    assert.equal(events.length, 1);
    const e = events[0];
    assert.deepEqual(Object.keys(e), ['id', 'type', 'contact', 'channel', 'extra', 'occurred_on', 'created_on']);
    assert.equal(e.type, 'stop-contact');
    assert.deepEqual(e.channel, { uuid: ex, name: 'External' });
    const contact = (await api.get('/api/v2/contacts.json?urn=tel:%2B250788444444')).json().results[0];
    assert.equal(contact.status, 'stopped');
    assert.deepEqual((await api.get(`/api/v2/channel_events.json?contact=${contact.uuid}`)).json().results.map((x: any) => x.id), [e.id]);
    assert.deepEqual((await api.get(`/api/v2/channel_events.json?contact=${randomUUID()}`)).json().results, []);
    assert.deepEqual((await api.get(`/api/v2/channel_events.json?id=${e.id}`)).json().results.length, 1);
    assert.deepEqual((await api.get('/api/v2/channel_events.json?id=x')).json(), { detail: 'Value for id must be an integer' });
    assert.deepEqual((await api.get('/api/v2/channel_events.json?before=2000-01-01')).json().results, []);
    assert.deepEqual((await api.as(other.admin.token).get('/api/v2/channel_events.json')).json().results, []);
    // last_seen moved
    assert.notEqual((await api.get(`/api/v2/channels.json?uuid=${ex}`)).json().results[0].last_seen, null);
  });
});
