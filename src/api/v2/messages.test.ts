import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { makeContact, makeMsgs } from '../../testing/msgs.ts';
import { createChannel } from '../../models/channels.ts';
import { updateWorkspace } from '../../models/workspaces.ts';
import { insertMedia } from '../../models/media.ts';

const ENDPOINT = '/api/v2/messages.json';

forEachDatabase('messages endpoint', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  let frank: { id: number; uuid: string; urnId: number | null };
  let channel: { id: number; uuid: string };
  const ids: Record<string, number> = {};
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    const ch = await createChannel(db().db, ws.workspace, { type: 'EX', name: 'Ex', address: '+250788000000', config: { send_url: 'http://127.0.0.1:9/send' } });
    channel = { uuid: ch.uuid, id: (await db().db.selectFrom('channels').select('id').where('uuid', '=', ch.uuid).executeTakeFirstOrThrow()).id };
    frank = await makeContact(db().db, ws.workspace.id, { name: 'Frank', urn: 'tel:+250788123123' });
    const flow = await db().db.insertInto('flows').values({ uuid: randomUUID(), org_id: ws.workspace.id, name: 'Survey', flow_type: 'message', spec_version: '14.4.0', definition: '{}' })
      .returning('id').executeTakeFirstOrThrow();
    const one = async (name: string, opts: Parameters<typeof makeMsgs>[3]) => {
      ids[name] = (await makeMsgs(db().db, ws.workspace.id, 1, { contactId: frank.id, urnId: frank.urnId, channelId: channel.id, text: name, ...opts }))[0].id;
      await new Promise((r) => setTimeout(r, 2));
    };
    await one('inbox', {});
    await one('flows', { flowId: flow.id });
    await one('archived', { visibility: 'A' });
    await one('outbox', { direction: 'O', status: 'Q' });
    await one('errored', { direction: 'O', status: 'E' });
    await one('sent', { direction: 'O', status: 'S', sentOn: '2020-01-01T00:00:00Z' });
    await one('delivered', { direction: 'O', status: 'D', sentOn: '2021-01-01T00:00:00Z' });
    await one('failed', { direction: 'O', status: 'F' });
    await one('pending', { status: 'P' });
    await one('deleted', { visibility: 'D' });
    await makeMsgs(db().db, other.workspace.id, 2);
  });
  after(async () => app?.close());

  const texts = async (qs = '') => {
    const res = await api.get(`${ENDPOINT}${qs ? `?${qs}` : ''}`);
    assert.equal(res.statusCode, 200, `${qs}: ${res.body}`);
    return res.json().results.map((m: any) => m.text);
  };

  test('folders, default listing and sent ordering', async () => {
    assert.deepEqual(await texts(), ['failed', 'delivered', 'sent', 'errored', 'outbox', 'archived', 'flows', 'inbox']);
    assert.deepEqual(await texts('folder=inbox'), ['inbox']);
    assert.deepEqual(await texts('folder=INBOX'), ['inbox']);
    assert.deepEqual(await texts('folder=flows'), ['flows']);
    assert.deepEqual(await texts('folder=archived'), ['archived']);
    assert.deepEqual(await texts('folder=outbox'), ['errored', 'outbox']);
    assert.deepEqual(await texts('folder=sent'), ['delivered', 'sent']);
    assert.deepEqual(await texts('folder=failed'), ['failed']);
    assert.deepEqual(await texts('folder=incoming'), []);
    assert.deepEqual(await texts('folder=nope'), []);
  });

  test('item shape', async () => {
    const [m] = (await api.get(`${ENDPOINT}?id=${ids.inbox}`)).json().results;
    assert.deepEqual(Object.keys(m), ['uuid', 'contact', 'urn', 'channel', 'direction', 'type', 'status', 'archived', 'visibility', 'text', 'labels', 'flow',
      'attachments', 'quick_replies', 'created_on', 'sent_on', 'modified_on', 'media', 'id', 'broadcast']);
    assert.deepEqual(m.contact, { uuid: frank.uuid, name: 'Frank' });
    assert.equal(m.urn, 'tel:+250788123123');
    assert.deepEqual(m.channel, { uuid: channel.uuid, name: 'Ex' });
    assert.equal(m.direction, 'in');
    assert.equal(m.type, 'text');
    assert.equal(m.status, 'handled');
    assert.equal(m.archived, false);
    assert.equal(m.visibility, 'visible');
    assert.deepEqual(m.labels, []);
    assert.equal(m.flow, null);
    assert.equal(m.sent_on, null);
    assert.equal(m.media, null);
    assert.equal(m.broadcast, null);
    const [f] = (await api.get(`${ENDPOINT}?id=${ids.flows}`)).json().results;
    assert.equal(f.flow.name, 'Survey');
    const [a] = (await api.get(`${ENDPOINT}?id=${ids.archived}`)).json().results;
    assert.equal(a.archived, true);
    assert.equal(a.visibility, 'archived');
    const [e] = (await api.get(`${ENDPOINT}?id=${ids.errored}`)).json().results;
    assert.equal(e.status, 'errored');
    assert.equal(e.direction, 'out');
    const [o] = (await api.get(`${ENDPOINT}?id=${ids.outbox}`)).json().results;
    assert.equal(o.status, 'queued');
    // anonymous workspaces hide URNs
    const anon = await makeWorkspace(db().db, { anon: true });
    const c = await makeContact(db().db, anon.workspace.id, { urn: 'tel:+250788999999' });
    await makeMsgs(db().db, anon.workspace.id, 1, { contactId: c.id, urnId: c.urnId });
    assert.equal((await api.as(anon.admin.token).get(ENDPOINT)).json().results[0].urn, null);
  });

  test('filters and their errors', async () => {
    const [inbox] = (await api.get(`${ENDPOINT}?id=${ids.inbox}`)).json().results;
    assert.deepEqual(await texts(`uuid=${inbox.uuid}`), ['inbox']);
    assert.deepEqual(await texts(`uuid=${randomUUID()}`), []);
    assert.deepEqual(await texts(`contact=${frank.uuid}`), ['failed', 'delivered', 'sent', 'errored', 'outbox', 'archived', 'flows', 'inbox']);
    assert.deepEqual(await texts(`contact=${randomUUID()}`), []);
    assert.deepEqual(await texts('contact=nope'), []);
    assert.deepEqual(await texts('broadcast=12345'), []);
    assert.deepEqual(await texts('before=2000-01-01'), []);
    assert.deepEqual(await texts('after=nonsense'), []);
    assert.equal((await texts('after=2000-01-01')).length, 8);
    assert.deepEqual(await texts('label=Nothing'), []);
    const errors: [string, string][] = [
      ['folder=inbox&contact=' + frank.uuid, 'You may only specify one of the contact, folder, label, broadcast parameters'],
      ['label=x&broadcast=1', 'You may only specify one of the contact, folder, label, broadcast parameters'],
      ['id=abc', 'Value for id must be an integer'],
      ['broadcast=abc', 'Value for broadcast must be an integer'],
      ['uuid=xyz', "Param 'uuid': xyz is not a valid UUID."],
    ];
    for (const [qs, message] of errors) {
      const res = await api.get(`${ENDPOINT}?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.deepEqual(res.json(), { detail: message }, qs);
    }
  });

  test('other workspaces cannot see these messages', async () => {
    const o = api.as(other.admin.token);
    const mine = (await api.get(`${ENDPOINT}?id=${ids.inbox}`)).json().results[0];
    assert.deepEqual((await o.get(`${ENDPOINT}?id=${ids.inbox}`)).json().results, []);
    assert.deepEqual((await o.get(`${ENDPOINT}?uuid=${mine.uuid}`)).json().results, []);
    assert.deepEqual((await o.get(`${ENDPOINT}?contact=${frank.uuid}`)).json().results, []);
    assert.equal((await o.get(ENDPOINT)).json().results.length, 2);
    // and cannot send to our contact
    const res = await o.post(ENDPOINT, { contact: frank.uuid, text: 'hi' });
    assert.deepEqual(res.json(), { contact: [`No such object: ${frank.uuid}`] });
  });

  test('pagination walks every message once', async () => {
    const c = await makeContact(db().db, ws.workspace.id, { name: 'Many' });
    await makeMsgs(db().db, ws.workspace.id, 260, { contactId: c.id });
    const all = await listAll(api, `${ENDPOINT}?contact=${c.uuid}`);
    assert.equal(all.length, 260);
    assert.equal(new Set(all.map((m) => m.id)).size, 260);
  });

  test('POST sends one message: queued on the contact\'s route, or failed without one', async () => {
    const res = await api.post(ENDPOINT, { contact: frank.uuid, text: 'Hello Frank', quick_replies: [{ text: 'Yes' }, 'No'] });
    assert.equal(res.statusCode, 201, res.body);
    const m = res.json();
    assert.equal(m.direction, 'out');
    assert.equal(m.status, 'queued');
    assert.equal(m.urn, 'tel:+250788123123');
    assert.deepEqual(m.channel, { uuid: channel.uuid, name: 'Ex' });
    assert.deepEqual(m.labels, []);
    assert.equal(m.flow, null);
    assert.equal(m.sent_on, null);
    assert.deepEqual(m.quick_replies, [{ type: 'text', text: 'Yes' }, { type: 'text', text: 'No' }]);
    assert.deepEqual(await texts('folder=outbox').then((t) => t[0]), 'Hello Frank');
    // by URN reference (E.164)
    assert.equal((await api.post(ENDPOINT, { contact: 'tel:+250788123123', text: 'again' })).statusCode, 201);

    const nobody = await makeContact(db().db, ws.workspace.id, { name: 'Nobody', urn: 'telegram:1234' });
    const f = (await api.post(ENDPOINT, { contact: nobody.uuid, text: 'unroutable' })).json();
    assert.equal(f.status, 'failed');
    assert.equal(f.channel, null);
    assert.equal(f.urn, null);
    const blocked = await makeContact(db().db, ws.workspace.id, { name: 'Blocked', urn: 'tel:+250788555555', status: 'B' });
    assert.equal((await api.post(ENDPOINT, { contact: blocked.uuid, text: 'x' })).json().status, 'failed');
    const mediaUuid = randomUUID();
    const url = `https://example.com/media/${mediaUuid}/a.jpg`;
    await insertMedia(db().db, ws.workspace.id, { uuid: mediaUuid, url, contentType: 'image/jpeg', path: `x/${mediaUuid}/a.jpg`, size: 10, createdById: ws.admin.userId });
    const withAttachment = (await api.post(ENDPOINT, { contact: frank.uuid, attachments: [mediaUuid] })).json();
    assert.deepEqual(withAttachment.attachments, [{ content_type: 'image/jpeg', url }]);
    assert.equal(withAttachment.media, `image/jpeg:${url}`);
    const outside = await api.post(ENDPOINT, { contact: frank.uuid, attachments: ['image/jpeg:https://example.com/a.jpg'] });
    assert.equal(outside.statusCode, 400);
    assert.deepEqual(outside.json(), { attachments: ['No such object: image/jpeg:https://example.com/a.jpg'] });
  });

  test('POST validation', async () => {
    const cases: [unknown, unknown][] = [
      [{}, { contact: ['This field is required.'] }],
      [{ contact: null, text: 'x' }, { contact: ['This field may not be null.'] }],
      [{ contact: frank.uuid }, { non_field_errors: ['Must provide either text or attachments.'] }],
      [{ contact: frank.uuid, text: '' }, { text: ['This field may not be blank.'] }],
      [{ contact: frank.uuid, text: 'x'.repeat(4097) }, { text: ['Ensure this field has no more than 4096 characters.'] }],
      [{ contact: 'tel:+250700000000', text: 'x' }, { contact: ['No such object: tel:+250700000000'] }],
      [{ contact: [1], text: 'x' }, { contact: ['Must be a string or integer'] }],
      [{ contact: frank.uuid, attachments: ['xxxx'] }, { attachments: ['No such object: xxxx'] }],
      [{ contact: frank.uuid, attachments: Array(11).fill('image/jpeg:https://e.com/a.jpg') }, { attachments: ['Ensure this field has no more than 10 elements.'] }],
      [{ contact: frank.uuid, text: 'x', quick_replies: [{ type: 'form', text: 'a' }] }, { quick_replies: { 0: ["Quick replies of type 'form' require 'text' and 'extra' values."] } }],
      [{ contact: frank.uuid, text: 'x', quick_replies: [{ type: 'text' }] }, { quick_replies: { 0: ["Quick replies of type 'text' require a 'text' value."] } }],
      [{ contact: frank.uuid, text: 'x', quick_replies: [{ type: 'location', extra: 'e' }] }, { quick_replies: { 0: ["Quick replies of type 'location' cannot have an 'extra' value."] } }],
      [{ contact: frank.uuid, text: 'x', quick_replies: Array(11).fill('a') }, { quick_replies: ['Ensure this field has no more than 10 elements.'] }],
      [[1], { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    assert.equal((await api.post(`${ENDPOINT}?uuid=${randomUUID()}`, { contact: frank.uuid, text: 'x' })).statusCode, 404);
    const flagged = await makeWorkspace(db().db);
    await updateWorkspace(db().db, flagged.workspace.id, { isSuspended: true });
    const s = await api.as(flagged.admin.token).post(ENDPOINT, { contact: frank.uuid, text: 'x' });
    assert.equal(s.statusCode, 400);
    assert.match(s.json().non_field_errors[0], /suspended/);
  });
});
