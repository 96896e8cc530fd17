import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { insertMedia } from '../../models/media.ts';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { waitUntil, openMessagingWorld, closeMessagingWorld, type MessagingWorld } from '../../testing/msgs.ts';
import type { FakeProvider } from '../../channels/testing.ts';
import { updateWorkspace } from '../../models/workspaces.ts';
import { createChannel } from '../../models/channels.ts';

const ENDPOINT = '/api/v2/broadcasts.json';

forEachDatabase('broadcasts endpoint', (db) => {
  let world: MessagingWorld | undefined;
  let m: MessagingWorld['m'], ws: TestWorkspace, other: TestWorkspace, api: ApiClient, fake: FakeProvider, channelUuid: string;
  before(async () => {
    world = await openMessagingWorld(db());
    ({ m, ws, other, api, fake, channelUuid } = world);
  });
  after(() => closeMessagingWorld(world));

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

  test('validation messages', async () => {
    const joe = (await api.post('/api/v2/contacts.json', { name: 'Val', urns: ['tel:+250788777777'] })).json();
    const theirs = (await api.as(other.admin.token).post('/api/v2/contacts.json', { name: 'Theirs', urns: ['tel:+250788666666'] })).json();
    const theirGroup = (await api.as(other.admin.token).post('/api/v2/groups.json', { name: 'Their Group' })).json();
    const image = randomUUID();
    await insertMedia(db().db, ws.workspace.id, { uuid: image, url: `https://e.com/${image}/a.jpg`, contentType: 'image/jpeg', path: `x/${image}/a.jpg`, size: 1, createdById: ws.admin.userId });
    const cases: [unknown, unknown][] = [
      [{ text: 'hi', contacts: [joe.uuid], attachments: ['image/jpeg:https://e.com/a.jpg'] }, { attachments: { eng: ['No such object: image/jpeg:https://e.com/a.jpg'] } }],
      [{}, { non_field_errors: ['Must provide either text or attachments.'] }],
      [{ text: 'hi' }, { non_field_errors: ['Must provide either urns, contacts or groups.'] }],
      [{ text: 'hi', urns: ['12345'] }, { urns: { 0: ['Invalid URN: 12345. Ensure phone numbers contain country codes.'] } }],
      [{ text: 'hi', urns: 'tel:+250788111111' }, { urns: ['Expected a list of items but got type "str".'] }],
      [{ text: 'hi', urns: Array(101).fill('tel:+250788111111') }, { urns: ['Ensure this field has no more than 100 elements.'] }],
      [{ text: 'hi', contacts: [theirs.uuid] }, { contacts: [`No such object: ${theirs.uuid}`] }],
      [{ text: 'hi', contacts: ['tel:+250788666666'] }, { contacts: ['No such object: tel:+250788666666'] }],
      [{ text: 'hi', groups: [theirGroup.uuid] }, { groups: [`No such object: ${theirGroup.uuid}`] }],
      [{ text: 'hi', groups: ['Nope'] }, { groups: ['No such object: Nope'] }],
      [{ text: '', contacts: [joe.uuid] }, { text: { eng: ['This field may not be blank.'] } }],
      [{ text: 'x'.repeat(4097), contacts: [joe.uuid] }, { text: { eng: ['Ensure this field has no more than 4096 characters.'] } }],
      [{ text: { xyz: 'hi' }, contacts: [joe.uuid] }, { text: { xyz: ['Not an allowed ISO 639-3 language code.'] } }],
      [{ text: {}, contacts: [joe.uuid] }, { text: ['This dictionary may not be empty.'] }],
      [{ text: 'hi', base_language: 'xyz', contacts: [joe.uuid] }, { base_language: ['Not an allowed ISO 639-3 language code.'] }],
      [{ text: { eng: 'hi' }, base_language: 'fra', contacts: [joe.uuid] }, { non_field_errors: ['No text translation provided in base language.'] }],
      [{ attachments: { eng: [image] }, base_language: 'fra', contacts: [joe.uuid] }, { non_field_errors: ['No attachment translations provided in base language.'] }],
      [{ text: { eng: 'hi', fra: 'salut' }, quick_replies: { eng: ['a'] }, base_language: 'fra', contacts: [joe.uuid] }, { non_field_errors: ['No quick_replies translations provided in base language.'] }],
      [{ text: 'hi', attachments: ['nope'], contacts: [joe.uuid] }, { attachments: { eng: ['No such object: nope'] } }],
      [{ text: 'hi', quick_replies: [{ type: 'url', text: 'a' }], contacts: [joe.uuid] }, { quick_replies: { eng: { 0: ["Quick replies of type 'url' require 'text' and 'extra' values."] } } }],
      [{ text: 'hi', quick_replies: Array(11).fill('a'), contacts: [joe.uuid] }, { quick_replies: { eng: ['Ensure this field has no more than 10 elements.'] } }],
      [[1], { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    const missing = await api.post(`${ENDPOINT}?uuid=${crypto.randomUUID()}`, { text: 'hi', contacts: [joe.uuid] });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual((await api.get(`${ENDPOINT}?uuid=xyz`)).json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
    assert.deepEqual((await api.get(`${ENDPOINT}?id=x`)).json(), { detail: 'Value for id must be an integer' });
    assert.deepEqual((await api.get(`${ENDPOINT}?after=garbage`)).json().results, []);
    assert.equal((await api.request('DELETE', ENDPOINT)).statusCode, 405);
  });

  test('translations: base language defaults to the first key; anonymous workspaces hide urns; empty recipients complete', async () => {
    const joe = (await api.post('/api/v2/contacts.json', { name: 'Trans', urns: ['tel:+250788121212'] })).json();
    const b = (await api.post(ENDPOINT, { text: { kin: 'Muraho', eng: 'Hello' }, quick_replies: { kin: ['Yego'] }, contacts: [joe.uuid] })).json();
    assert.equal(b.base_language, 'kin');
    assert.deepEqual(b.quick_replies, { kin: [{ type: 'text', text: 'Yego' }], eng: [] });
    assert.deepEqual(b.text, { kin: 'Muraho', eng: 'Hello' });
    const anon = await makeWorkspace(db().db, { anon: true });
    const a = await api.as(anon.admin.token).post(ENDPOINT, { text: 'hi', urns: ['tel:+250788131313'] });
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(a.json().urns, null);
    // a group with no members: completes with no messages
    const g = (await api.post('/api/v2/groups.json', { name: 'Empty' })).json();
    const e = (await api.post(ENDPOINT, { text: 'nobody', groups: [g.uuid] })).json();
    await waitUntil(async () => (await api.get(`${ENDPOINT}?uuid=${e.uuid}`)).json().results[0].status === 'completed', 10_000, 'completed');
    assert.deepEqual((await api.get(`${ENDPOINT}?uuid=${e.uuid}`)).json().results[0].progress, { total: -1, started: 0 });
  });

  test('contacts without a preferred channel are routed by the number\'s country and the longest address prefix', async () => {
    const ws2 = await makeWorkspace(db().db);
    const api2 = api.as(ws2.admin.token);
    // created first, so "the first channel of the scheme" would send everything through it
    const channel = (name: string, address: string, country: string) =>
      createChannel(db().db, ws2.workspace, { type: 'EX', name, address, country, config: { send_url: `${fake.url}/${name}`, method: 'POST' } });
    const us = await channel('us', '+12065551212', 'US');
    const rw788 = await channel('rw788', '+250788000000', 'RW');
    const rw722 = await channel('rw722', '+250722000000', 'RW');
    const numbers = { '+12065550103': us.uuid, '+250788555102': rw788.uuid, '+250722555101': rw722.uuid };
    const contacts = [];
    for (const n of Object.keys(numbers)) contacts.push((await api2.post('/api/v2/contacts.json', { urns: [`tel:${n}`] })).json().uuid);
    const b = (await api2.post(ENDPOINT, { text: 'routed', contacts })).json();
    await waitUntil(async () => (await api2.get(`/api/v2/messages.json?broadcast=${b.id}`)).json().results.filter((x: any) => x.status === 'wired').length === 3, 20_000, 'wired');
    for (const x of (await api2.get(`/api/v2/messages.json?broadcast=${b.id}`)).json().results) {
      assert.equal(x.channel.uuid, numbers[x.urn.slice(4) as keyof typeof numbers], x.urn);
    }
    for (const [n, uuid] of Object.entries(numbers)) {
      const reqs = fake.requests.filter((r) => r.form.get('to') === n);
      assert.deepEqual(reqs.map((r) => r.form.get('channel')), [uuid], `${n} sent once, through its channel`);
    }
    // a single message (messages.json) is routed by the same rules
    const one = (await api2.post('/api/v2/messages.json', { contact: contacts[1], text: 'single' })).json();
    assert.equal(one.channel.uuid, rw788.uuid);
    // the first workspace's messages went through none of these channels
    const mine = (await api.get('/api/v2/messages.json')).json().results;
    assert.ok(mine.every((x: any) => !Object.values(numbers).includes(x.channel?.uuid)));
  });
});
