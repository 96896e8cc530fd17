import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { HttpClient } from '../http.ts';
import { makeChannel, makeRequest, startFakeProvider, type FakeProvider } from '../testing.ts';
import type { ChannelSettings, IncomingMsgEvent, OutgoingMsg } from '../types.ts';
import { WAC } from './index.ts';

let fake: FakeProvider;
let http: HttpClient;
before(async () => {
  fake = await startFakeProvider();
  http = new HttpClient({ overrides: { 'https://graph.facebook.com': fake.url }, timeoutMs: 2000 });
});
after(() => fake.close());

const settings: ChannelSettings = { facebookApplicationSecret: 'fb_app_secret', facebookWebhookSecret: 'fb_webhook_secret', whatsappAdminSystemUserToken: 'wac_token' };
const CH = makeChannel({ type: 'WAC', address: '1234567890', schemes: ['whatsapp'], config: {} });
const msg = (over: Partial<OutgoingMsg> = {}): OutgoingMsg => ({
  uuid: '0191e180-7d60-7000-aded-7d8b151cbd5b', urn: 'whatsapp:250788123123', text: 'Simple Message', attachments: [], quickReplies: [], ...over,
});
const send = (m: OutgoingMsg, s: ChannelSettings = settings) => WAC.send({ channel: CH, msg: m, http, callbackBaseUrl: 'https://rp.example.com', settings: s });
let seq = 0;
const ok = () => ({ body: { messaging_product: 'whatsapp', contacts: [{ input: '250788123123', wa_id: '250788123123' }], messages: [{ id: `wamid.${++seq}` }] } });

test('send: text to the phone number id with the bearer token', async () => {
  fake.reply(ok);
  const n = fake.requests.length;
  const r = await send(msg({ text: 'See https://example.org' }));
  assert.equal(r.status, 'wired');
  assert.match(r.externalId!, /^wamid\./);
  const req = fake.requests[n];
  assert.equal(req.path, '/v25.0/1234567890/messages');
  assert.equal(req.headers.authorization, 'Bearer wac_token');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.deepEqual(req.json, { messaging_product: 'whatsapp', recipient_type: 'individual', to: '250788123123', type: 'text', text: { body: 'See https://example.org', preview_url: true } });
  assert.ok(!r.logs[0].request.includes('wac_token'));
});

test('send: a single image carries the caption; quick replies become buttons or a list', async () => {
  fake.reply(ok);
  let n = fake.requests.length;
  await send(msg({ text: 'Pic', attachments: ['image/jpeg:https://foo.bar/image.jpg'] }));
  assert.deepEqual(fake.requests[n].json, { messaging_product: 'whatsapp', recipient_type: 'individual', to: '250788123123', type: 'image', image: { link: 'https://foo.bar/image.jpg', caption: 'Pic' } });

  n = fake.requests.length;
  await send(msg({ text: 'Pick', quickReplies: [{ text: 'Yes' }, { text: 'No' }] }));
  assert.deepEqual((fake.requests[n].json as { interactive: unknown }).interactive, {
    type: 'button', body: { text: 'Pick' },
    action: { buttons: [{ type: 'reply', reply: { id: '0', title: 'Yes' } }, { type: 'reply', reply: { id: '1', title: 'No' } }] },
  });

  n = fake.requests.length;
  await send(msg({ text: 'Pick', attachments: ['application/pdf:https://foo.bar/doc.pdf'], quickReplies: ['A', 'B', 'C', 'D'].map((t) => ({ text: t })) }));
  const [doc, list] = fake.requests.slice(n).map((q) => q.json as Record<string, unknown>);
  assert.deepEqual(doc.document, { link: 'https://foo.bar/doc.pdf', filename: 'doc.pdf' });
  assert.deepEqual(list.interactive, {
    type: 'list', body: { text: 'Pick' },
    action: { button: 'Menu', sections: [{ rows: ['A', 'B', 'C', 'D'].map((t, i) => ({ id: String(i), title: t })) }] },
  });
});

test('send: Graph API errors — throttling and 5xx retry, others fail with the reason', async () => {
  fake.reply({ status: 503, body: 'down' });
  let r = await send(msg());
  assert.deepEqual([r.status, r.retryable], ['errored', true]);

  fake.reply({ status: 400, body: { error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 } } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['errored', true, 'connection_throttled']);

  fake.reply({ status: 400, body: { error: { message: 'Media download error', code: 131053 } } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable], ['errored', true]);

  fake.reply({ status: 400, body: { error: { message: '(#131030) Recipient phone number not in allowed list', code: 131030 } } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['failed', false, 'rejected_with_reason']);
  assert.equal(r.errors.at(-1)!.extCode, '131030');

  fake.reply({ status: 200, body: 'not json' });
  r = await send(msg());
  assert.deepEqual([r.status, r.errorCode], ['failed', 'response_unparseable']);

  r = await send(msg(), {});
  assert.deepEqual([r.status, r.errorCode], ['failed', 'channel_config']);
});

const notification = (value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '8856996819413533', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '+250 788 123 200', phone_number_id: '1234567890' }, ...value } }] }],
});
const signedPost = (payload: unknown, secret = 'fb_app_secret') => {
  const raw = JSON.stringify(payload);
  return makeRequest({ path: '/c/wac/receive', body: raw, headers: { 'content-type': 'application/json', 'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}` } });
};

test('routing: the channel is found by the phone number id in the payload', () => {
  assert.equal(WAC.routing, 'address');
  assert.equal(WAC.channelAddress!(signedPost(notification({}))), '1234567890');
  assert.equal(WAC.channelAddress!(makeRequest({ method: 'GET', path: '/c/wac/receive' })), null);
});

test('verify handshake answers the challenge only with the right token', async () => {
  const get = (q: Record<string, string>) => WAC.receive({ channel: null, action: 'receive', settings, request: makeRequest({ method: 'GET', path: '/c/wac/receive', query: q }) });
  let r = await get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'fb_webhook_secret', 'hub.challenge': 'yarchallenge' });
  assert.deepEqual([r.response.status, r.response.body], [200, 'yarchallenge']);
  r = await get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': 'yarchallenge' });
  assert.match(r.response.body, /token does not match secret/);
  r = await get({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'fb_webhook_secret' });
  assert.match(r.response.body, /unknown request/);
});

test('receive: messages (text and media resolved through the Graph API) and statuses', async () => {
  fake.reply((req) => (req.path === '/v25.0/media-id-1' ? { body: { url: 'https://lookaside.example/media-1', mime_type: 'image/jpeg' } } : { status: 404 }));
  const payload = notification({
    contacts: [{ profile: { name: 'Kerry Fisher' }, wa_id: '5678' }],
    messages: [
      { from: '5678', id: 'external_id', timestamp: '1454119029', text: { body: 'Hello World' }, type: 'text' },
      { from: '5678', id: 'external_id', timestamp: '1454119029', text: { body: 'Hello World' }, type: 'text' },
      { from: '5678', id: 'img_id', timestamp: '1454119030', type: 'image', image: { id: 'media-id-1', mime_type: 'image/jpeg', caption: 'Check out my new phone!' } },
    ],
    statuses: [
      { id: 'wamid.1', recipient_id: '5678', status: 'delivered', timestamp: '1454119029' },
      { id: 'wamid.2', recipient_id: '5678', status: 'failed', timestamp: '1454119029', errors: [{ code: 131014, title: 'Request for url failed' }] },
      { id: 'wamid.3', status: 'deleted' },
    ],
  });
  const r = await WAC.receive({ channel: CH, action: 'receive', settings, http, request: signedPost(payload) });
  assert.equal(r.response.status, 200);
  assert.equal(JSON.parse(r.response.body).message, 'Events Handled');
  assert.equal(r.events.length, 4, 'the duplicate message id is dropped');
  const [m1, m2, s1, s2] = r.events;
  assert.deepEqual([m1.kind, (m1 as IncomingMsgEvent).urn, (m1 as IncomingMsgEvent).text, (m1 as IncomingMsgEvent).externalId, (m1 as IncomingMsgEvent).contactName], ['msg', 'whatsapp:5678', 'Hello World', 'external_id', 'Kerry Fisher']);
  assert.equal((m1 as IncomingMsgEvent).receivedOn.toISOString(), '2016-01-30T01:57:09.000Z');
  assert.deepEqual((m2 as IncomingMsgEvent).attachments, ['image/jpeg:https://lookaside.example/media-1']);
  assert.equal((m2 as IncomingMsgEvent).text, 'Check out my new phone!');
  assert.equal(fake.requests.at(-1)!.headers.authorization, 'Bearer wac_token');
  assert.deepEqual(s1, { kind: 'status', externalId: 'wamid.1', status: 'delivered' });
  assert.deepEqual(s2, { kind: 'status', externalId: 'wamid.2', status: 'failed', errors: [{ code: 'external', extCode: '131014', message: 'Request for url failed' }] });
  assert.ok(JSON.parse(r.response.body).data.some((d: { info?: string }) => d.info === 'ignoring status: deleted'));
});

test('receive: bad signatures, other objects and bad timestamps', async () => {
  let r = await WAC.receive({ channel: CH, action: 'receive', settings, request: signedPost(notification({}), 'wrong') });
  assert.match(r.response.body, /invalid request signature/);
  const unsigned = makeRequest({ path: '/c/wac/receive', body: notification({}) });
  r = await WAC.receive({ channel: CH, action: 'receive', settings, request: unsigned });
  assert.match(r.response.body, /missing request signature/);
  r = await WAC.receive({ channel: CH, action: 'receive', settings, request: signedPost({ object: 'page', entry: [] }) });
  assert.match(r.response.body, /ignoring request/);
  r = await WAC.receive({ channel: CH, action: 'receive', settings, request: signedPost(notification({ messages: [{ from: '5678', id: 'x', timestamp: 'asd', type: 'text', text: { body: 'x' } }] })) });
  assert.match(r.response.body, /invalid timestamp: asd/);
  assert.equal(r.events.length, 0);
});
