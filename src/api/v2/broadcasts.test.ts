import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { makeMessagingApp, waitUntil } from '../../testing/msgs.ts';
import { startFakeProvider, type FakeProvider } from '../../channels/testing.ts';
import { createChannel } from '../../models/channels.ts';
import { updateWorkspace } from '../../models/workspaces.ts';

const ENDPOINT = '/api/v2/broadcasts.json';

forEachDatabase('broadcasts endpoint', (db) => {
  let m: Awaited<ReturnType<typeof makeMessagingApp>>;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  let fake: FakeProvider;
  let channelUuid: string;
  before(async () => {
    m = await makeMessagingApp(db());
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(m.app, ws.admin.token);
    fake = await startFakeProvider({ status: 200, body: 'ok' });
    channelUuid = (await createChannel(db().db, ws.workspace, { type: 'EX', name: 'Fake EX', address: '+250788000000', config: { send_url: `${fake.url}/send`, method: 'POST' } })).uuid;
  });
  after(async () => {
    await m?.close();
    await fake?.close();
  });

  test('a broadcast reaches the fake provider with per-contact text, and its status completes', async () => {
    const g = (await api.post('/api/v2/groups.json', { name: 'Reporters' })).json();
    const joe = (await api.post('/api/v2/contacts.json', { name: 'Joe Blow', urns: ['tel:+250788111111'], groups: [g.uuid] })).json();
    const ann = (await api.post('/api/v2/contacts.json', { name: 'Ann', urns: ['tel:+250788222222'], language: 'kin' })).json();
    const res = await api.post(ENDPOINT, {
      urns: ['tel:0788333333'],
      contacts: [joe.uuid, ann.uuid],
      groups: ['reporters'],
      text: { eng: 'Hello @contact.name', kin: 'Muraho @contact.first_name' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const b = res.json();
    assert.deepEqual(Object.keys(b), ['uuid', 'status', 'progress', 'urns', 'contacts', 'groups', 'text', 'attachments', 'quick_replies', 'base_language', 'created_on', 'id']);
    assert.equal(b.status, 'pending');
    assert.deepEqual(b.progress, { total: -1, started: 0 });
    assert.deepEqual(b.urns, ['tel:+250788333333']);
    assert.deepEqual(b.contacts, [{ uuid: joe.uuid, name: 'Joe Blow' }, { uuid: ann.uuid, name: 'Ann' }]);
    assert.deepEqual(b.groups, [{ uuid: g.uuid, name: 'Reporters' }]);
    assert.deepEqual(b.text, { eng: 'Hello @contact.name', kin: 'Muraho @contact.first_name' });
    assert.deepEqual(b.attachments, { eng: [], kin: [] });
    assert.equal(b.base_language, 'eng');

    await waitUntil(() => fake.requests.length >= 3, 20_000, 'three provider requests');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fake.requests.length, 3, 'recipients are de-duplicated: one message each');
    const byTo = new Map(fake.requests.map((r) => [r.form.get('to'), r.form.get('text')]));
    assert.equal(byTo.get('+250788111111'), 'Hello Joe Blow');
    assert.equal(byTo.get('+250788222222'), 'Muraho Ann', 'contact language chosen when the workspace allows it');
    assert.equal(byTo.get('+250788333333'), 'Hello ', 'a new contact for an unknown URN, no name');
    assert.equal(fake.requests[0].form.get('channel'), channelUuid);

    await waitUntil(async () => (await api.get(`${ENDPOINT}?uuid=${b.uuid}`)).json().results[0].status === 'completed', 10_000, 'completed');
    const done = (await api.get(`${ENDPOINT}?id=${b.id}`)).json().results[0];
    assert.deepEqual(done.progress, { total: 3, started: 3 });

    await waitUntil(async () => (await api.get(`/api/v2/messages.json?broadcast=${b.id}`)).json().results.every((x: any) => x.status === 'wired'), 10_000, 'wired');
    const msgs = (await api.get(`/api/v2/messages.json?broadcast=${b.id}`)).json().results;
    assert.equal(msgs.length, 3);
    for (const x of msgs) {
      assert.equal(x.direction, 'out');
      assert.equal(x.channel.uuid, channelUuid);
      assert.match(x.sent_on, /Z$/);
      assert.equal(x.broadcast, b.id);
    }
    const sent = (await api.get('/api/v2/messages.json?folder=sent')).json().results;
    assert.equal(sent.length, 3);

    // a reply through the receive URL lands in the inbox
    const reply = await m.app.inject({
      method: 'POST', url: `/c/ex/${channelUuid}/receive`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'from=%2B250788111111&text=Thanks',
    });
    assert.equal(reply.statusCode, 200, reply.body);
    const inbox = (await api.get('/api/v2/messages.json?folder=inbox')).json().results;
    assert.equal(inbox.length, 1);
    assert.equal(inbox[0].text, 'Thanks');
    assert.equal(inbox[0].status, 'handled');
    assert.equal(inbox[0].contact.uuid, joe.uuid);
    assert.equal(inbox[0].urn, 'tel:+250788111111');

    // other workspaces see nothing
    const o = api.as(other.admin.token);
    assert.deepEqual((await o.get(ENDPOINT)).json().results, []);
    assert.deepEqual((await o.get(`${ENDPOINT}?uuid=${b.uuid}`)).json().results, []);
    assert.deepEqual((await o.get('/api/v2/messages.json')).json().results, []);
  });
});
