import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient } from '../http.ts';
import { makeChannel, makeRequest, startFakeProvider, type FakeProvider } from '../testing.ts';
import type { IncomingMsgEvent, OutgoingMsg } from '../types.ts';
import { NX } from './index.ts';

let fake: FakeProvider;
let http: HttpClient;
before(async () => {
  fake = await startFakeProvider();
  http = new HttpClient({ overrides: { 'https://rest.nexmo.com': fake.url }, timeoutMs: 2000 });
});
after(() => fake.close());

const CH = makeChannel({ type: 'NX', address: '+2020', config: { nexmo_api_key: 'nexmo-api-key', nexmo_api_secret: 'nexmo-api-secret' } });
const msg = (over: Partial<OutgoingMsg> = {}): OutgoingMsg => ({
  uuid: '0191e180-7d60-7000-aded-7d8b151cbd5b', urn: 'tel:+250788383383', text: 'Simple Message', attachments: [], quickReplies: [], ...over,
});
const send = (m: OutgoingMsg, ch = CH) => NX.send({ channel: ch, msg: m, http, callbackBaseUrl: 'https://rp.example.com' });
const accepted = (id = '1002') => ({ body: { 'message-count': '1', messages: [{ status: '0', 'message-id': id }] } });

test('send: SMS API form with credentials, numbers without +, type and delivery receipt callback', async () => {
  fake.reply(accepted());
  const n = fake.requests.length;
  const r = await send(msg());
  assert.equal(r.status, 'wired');
  assert.equal(r.externalId, '1002');
  const req = fake.requests[n];
  assert.equal(req.path, '/sms/json');
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(Object.fromEntries(req.form), {
    api_key: 'nexmo-api-key', api_secret: 'nexmo-api-secret', callback: `https://rp.example.com/c/nx/${CH.uuid}/status`,
    from: '2020', 'status-report-req': '1', text: 'Simple Message', to: '250788383383', type: 'text',
  });
  assert.ok(!r.logs[0].request.includes('nexmo-api-secret'), 'the secret is redacted');
});

test('send: unicode type, attachments as links', async () => {
  fake.reply(accepted());
  const n = fake.requests.length;
  await send(msg({ text: 'Unicode ☺', attachments: ['image/jpeg:https://foo.bar/image.jpg'] }));
  assert.equal(fake.requests[n].form.get('type'), 'unicode');
  assert.equal(fake.requests[n].form.get('text'), 'Unicode ☺\nhttps://foo.bar/image.jpg');
});

test('send: provider errors', async () => {
  fake.reply({ status: 500, body: 'nope' });
  let r = await send(msg());
  assert.deepEqual([r.status, r.retryable], ['errored', true]);

  fake.reply({ body: { messages: [{ status: '1', 'error-text': 'Throughput Rate Exceeded - please wait [ 250 ] and retry' }] } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['errored', true, 'connection_throttled']);

  fake.reply({ body: { messages: [{ status: '6', 'error-text': 'Invalid Message' }] } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['failed', false, 'rejected_with_reason']);
  assert.equal(r.errors.at(-1)!.extCode, 'send:6');
  assert.match(r.errorReason!, /Invalid Message/);

  fake.reply({ body: { messages: [{ status: '5' }] } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable], ['errored', true]);

  fake.reply({ status: 401, body: 'unauthorized' });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['failed', false, 'response_status']);

  r = await send(msg(), makeChannel({ type: 'NX', config: { nexmo_api_key: 'k' } }));
  assert.deepEqual([r.status, r.errorCode], ['failed', 'channel_config']);
});

const path = (action: string) => `/c/nx/${CH.uuid}/${action}`;

test('receive: GET or POST with msisdn/to/text/messageId', async () => {
  let r = await NX.receive({ channel: CH, action: 'receive', request: makeRequest({ method: 'GET', path: path('receive'), query: { to: '2020', msisdn: '2349067554729', text: 'Join Right', messageId: 'external1' } }) });
  assert.equal(r.response.status, 200);
  const ev = r.events[0] as IncomingMsgEvent;
  assert.deepEqual([ev.kind, ev.urn, ev.text, ev.externalId], ['msg', 'tel:+2349067554729', 'Join Right', 'external1']);

  r = await NX.receive({ channel: CH, action: 'receive', request: makeRequest({ path: path('receive'), body: { to: '2020', msisdn: '+250788383383', text: 'json', messageId: 'e2' } }) });
  assert.equal((r.events[0] as IncomingMsgEvent).urn, 'tel:+250788383383');

  r = await NX.receive({ channel: CH, action: 'receive', request: makeRequest({ path: path('receive'), form: { msisdn: '2349067554729' } }) });
  assert.deepEqual(JSON.parse(r.response.body).data, [{ type: 'info', info: 'no to parameter, ignored' }]);
  assert.equal(r.events.length, 0);
});

test('delivery receipts map Vonage statuses by messageId', async () => {
  const cases: [string, string][] = [['delivered', 'delivered'], ['accepted', 'sent'], ['buffered', 'sent'], ['expired', 'failed'], ['rejected', 'failed'], ['unknown', 'wired']];
  for (const [vonage, ours] of cases) {
    const r = await NX.receive({ channel: CH, action: 'status', request: makeRequest({ method: 'GET', path: path('status'), query: { to: '2020', messageId: 'external1', status: vonage } }) });
    assert.deepEqual(r.events, [{ kind: 'status', externalId: 'external1', status: ours }]);
  }
  let r = await NX.receive({ channel: CH, action: 'status', request: makeRequest({ path: path('status'), form: { messageId: 'x', status: 'failed', 'err-code': '6' } }) });
  assert.deepEqual(r.events, [{ kind: 'status', externalId: 'x', status: 'failed', errors: [{ code: 'external', extCode: 'dlr:6', message: 'Anti-Spam Rejection' }] }]);
  r = await NX.receive({ channel: CH, action: 'status', request: makeRequest({ path: path('status'), form: { messageId: 'x', status: 'weird' } }) });
  assert.match(r.response.body, /ignoring unknown status report/);
  r = await NX.receive({ channel: CH, action: 'status', request: makeRequest({ path: path('status'), form: { status: 'delivered' } }) });
  assert.match(r.response.body, /no messageId parameter, ignored/);
});
