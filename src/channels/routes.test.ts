import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { HttpClient } from './http.ts';
import { channelRoutes, type ReceiveLog } from './routes.ts';
import { makeChannel, startFakeProvider, type FakeProvider } from './testing.ts';
import { twilioSignature } from './t/receive.ts';
import type { Channel, IncomingEvent, IncomingMsgEvent } from './types.ts';
import { getChannelType } from './index.ts';

const EX_CH = makeChannel({ type: 'EX', uuid: '11111111-1111-4111-8111-111111111111', config: {} });
const TG_CH = makeChannel({ type: 'TG', uuid: '22222222-2222-4222-8222-222222222222', schemes: ['telegram'], config: { auth_token: 'tok' } });
const T_CH = makeChannel({ type: 'T', uuid: '33333333-3333-4333-8333-333333333333', country: 'US', config: { account_sid: 'AC1', auth_token: 'twtoken' } });
const WAC_CH = makeChannel({ type: 'WAC', uuid: '44444444-4444-4444-8444-444444444444', address: '1234567890', schemes: ['whatsapp'] });
const channels = [EX_CH, TG_CH, T_CH, WAC_CH];

let app: FastifyInstance;
let stored: { channel: Channel; events: IncomingEvent[]; log: ReceiveLog }[] = [];
let logs: ReceiveLog[] = [];
let failStore = false;

before(async () => {
  app = Fastify();
  // a route of the rest of the app, with its own JSON parsing, to show the plugin is encapsulated
  app.post('/api/echo', async (req) => ({ got: req.body }));
  await app.register(channelRoutes({
    lookupChannel: async (uuid) => channels.find((c) => c.uuid === uuid) ?? null,
    lookupChannelByAddress: async (type, address) => channels.find((c) => c.type === type && c.address === address) ?? null,
    onEvents: async (channel, events, log) => {
      if (failStore) throw new Error('database down');
      stored.push({ channel, events, log });
    },
    onLog: (_ch, log) => {
      logs.push(log);
    },
    settings: { facebookApplicationSecret: 'app_secret', facebookWebhookSecret: 'hook_secret', whatsappAdminSystemUserToken: 'wac' },
  }));
  await app.ready();
});
after(() => app.close());

const reset = () => {
  stored = [];
  logs = [];
  failStore = false;
};

test('EX receive through the route hands a msg event to onEvents and answers courier JSON', async () => {
  reset();
  const res = await app.inject({ method: 'POST', url: `/c/ex/${EX_CH.uuid}/receive`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'from=%2B250788383383&text=Hello+there' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /application\/json/);
  assert.equal(stored.length, 1);
  assert.equal(stored[0].channel.uuid, EX_CH.uuid);
  const ev = stored[0].events[0] as IncomingMsgEvent;
  assert.deepEqual([ev.kind, ev.urn, ev.text], ['msg', 'tel:+250788383383', 'Hello there']);
  assert.equal(JSON.parse(res.body).data[0].msg_uuid, ev.uuid);
  assert.equal(logs.length, 1);
  assert.equal(logs[0].typeCode, 'EX');

  const get = await app.inject({ method: 'GET', url: `/c/ex/${EX_CH.uuid}/receive?from=%2B250788383384&text=via+get` });
  assert.equal(get.statusCode, 200);
  assert.equal((stored[1].events[0] as IncomingMsgEvent).text, 'via get');
});

test('unknown channels, types, actions and methods are refused; nothing is stored', async () => {
  reset();
  const cases: [string, string, number][] = [
    ['POST', `/c/ex/${'9'.repeat(8)}-9999-4999-8999-999999999999/receive`, 404],
    ['POST', `/c/ex/${TG_CH.uuid}/receive`, 404], // the UUID belongs to a TG channel
    ['POST', `/c/zz/${EX_CH.uuid}/receive`, 404],
    ['POST', `/c/ex/${EX_CH.uuid}/explode`, 404],
    ['GET', `/c/tg/${TG_CH.uuid}/receive`, 405],
    ['POST', `/c/ex/not-a-uuid/receive`, 404],
  ];
  for (const [method, url, status] of cases) {
    const res = await app.inject({ method: method as 'GET', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: method === 'GET' ? undefined : 'from=1&text=x' });
    assert.equal(res.statusCode, status, `${method} ${url}`);
    assert.equal(JSON.parse(res.body).message, 'Error');
  }
  assert.equal(stored.length, 0);
});

test('a storage failure answers 500 so the provider retries', async () => {
  reset();
  failStore = true;
  const res = await app.inject({ method: 'POST', url: `/c/ex/${EX_CH.uuid}/receive`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'from=%2B250788383383&text=x' });
  assert.equal(res.statusCode, 500);
  assert.match(res.body, /unable to store events: database down/);
  assert.equal(logs[0].response.status, 500);
});

test('TG JSON updates and EX status callbacks through the route', async () => {
  reset();
  const tg = await app.inject({ method: 'POST', url: `/c/tg/${TG_CH.uuid}/receive`, payload: { update_id: 1, message: { message_id: 7, from: { id: 99, first_name: 'Ann' }, date: 1700000000, text: 'hey' } } });
  assert.equal(tg.statusCode, 200);
  assert.equal((stored[0].events[0] as IncomingMsgEvent).urn, 'telegram:99');
  const st = await app.inject({ method: 'POST', url: `/c/ex/${EX_CH.uuid}/delivered`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'id=0191e180-7d60-7000-aded-7d8b151cbd5b' });
  assert.equal(st.statusCode, 200);
  assert.deepEqual(stored[1].events, [{ kind: 'status', msgUuid: '0191e180-7d60-7000-aded-7d8b151cbd5b', status: 'delivered' }]);
});

test('Twilio signature is checked against the public URL the provider called', async () => {
  reset();
  const form = { MessageSid: 'SM1', AccountSid: 'AC1', From: '+14133881111', To: '+12065551212', Body: 'signed' };
  const url = `/c/t/${T_CH.uuid}/receive`;
  const sig = twilioSignature(`https://rp.example.com${url}`, new URLSearchParams(form), 'twtoken');
  const ok = await app.inject({ method: 'POST', url, headers: { host: 'rp.example.com', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, payload: new URLSearchParams(form).toString() });
  assert.equal(ok.statusCode, 200);
  assert.match(ok.headers['content-type'] as string, /text\/xml/);
  assert.equal((stored[0].events[0] as IncomingMsgEvent).text, 'signed');
  const other = await app.inject({ method: 'POST', url, headers: { host: 'evil.example.com', 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, payload: new URLSearchParams(form).toString() });
  assert.equal(other.statusCode, 400);
  assert.equal(stored.length, 1);
});

test('WAC: one URL, routed by the phone number id; GET verify needs no channel', async () => {
  reset();
  const verify = await app.inject({ method: 'GET', url: '/c/wac/receive?hub.mode=subscribe&hub.verify_token=hook_secret&hub.challenge=abc' });
  assert.deepEqual([verify.statusCode, verify.body], [200, 'abc']);
  const payload = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1234567890' }, messages: [{ from: '5678', id: 'w1', timestamp: '1454119029', type: 'text', text: { body: 'hola' } }] } }] }],
  });
  const sig = `sha256=${createHmac('sha256', 'app_secret').update(payload).digest('hex')}`;
  const res = await app.inject({ method: 'POST', url: '/c/wac/receive', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig }, payload });
  assert.equal(res.statusCode, 200);
  assert.equal(stored[0].channel.uuid, WAC_CH.uuid);
  assert.equal((stored[0].events[0] as IncomingMsgEvent).urn, 'whatsapp:5678');
  const unknown = await app.inject({ method: 'POST', url: '/c/wac/receive', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig }, payload: payload.replace('1234567890', '999') });
  assert.equal(unknown.statusCode, 404);
  assert.equal(stored.length, 1);
});

test('the plugin keeps its raw-body parsing to itself', async () => {
  const res = await app.inject({ method: 'POST', url: '/api/echo', payload: { a: 1 } });
  assert.deepEqual(JSON.parse(res.body), { got: { a: 1 } });
});

let fake: FakeProvider;
test('round trip: EX send reaches a fake provider, its reply and delivery report come back through the routes', async (t) => {
  reset();
  fake = await startFakeProvider({ status: 200, body: 'ok' });
  t.after(() => fake.close());
  const ch = makeChannel({ ...EX_CH, config: { send_url: `${fake.url}/send`, body: 'to={{to}}&text={{text}}&id={{id}}' } });
  const r = await getChannelType('ex')!.send({
    channel: ch, http: new HttpClient(), callbackBaseUrl: 'https://rp.example.com',
    msg: { uuid: '0191e180-7d60-7000-aded-7d8b151cbd5b', urn: 'tel:+250788383383', text: 'Ping', attachments: [], quickReplies: [] },
  });
  assert.equal(r.status, 'wired');
  const sent = fake.requests[0].form;
  const dlr = await app.inject({ method: 'POST', url: `/c/ex/${EX_CH.uuid}/delivered`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `id=${sent.get('id')}` });
  assert.equal(dlr.statusCode, 200);
  const reply = await app.inject({ method: 'POST', url: `/c/ex/${EX_CH.uuid}/receive`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `from=${encodeURIComponent(sent.get('to')!)}&text=Pong` });
  assert.equal(reply.statusCode, 200);
  assert.deepEqual(stored.map((s) => s.events[0].kind), ['status', 'msg']);
  assert.equal((stored[1].events[0] as IncomingMsgEvent).urn, 'tel:+250788383383');
});
