import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient } from '../http.ts';
import { makeChannel, makeRequest, startFakeProvider, type FakeProvider } from '../testing.ts';
import type { IncomingMsgEvent, OutgoingMsg } from '../types.ts';
import { T } from './index.ts';
import { decodePossibleBase64, twilioSignature } from './receive.ts';

let fake: FakeProvider;
let http: HttpClient;
before(async () => {
  fake = await startFakeProvider();
  http = new HttpClient({ overrides: { 'https://api.twilio.com': fake.url }, timeoutMs: 2000 });
});
after(() => fake.close());

const CH = makeChannel({ type: 'T', address: '+12065551212', country: 'US', config: { account_sid: 'ACCOUNT_SID', auth_token: 'AUTH_TOKEN' } });
const MSG_UUID = '0191e180-7d60-7000-aded-7d8b151cbd5b';
const msg = (over: Partial<OutgoingMsg> = {}): OutgoingMsg => ({
  uuid: MSG_UUID, urn: 'tel:+250788383383', text: 'Simple Message ☺', attachments: [], quickReplies: [], ...over,
});
const send = (m: OutgoingMsg, ch = CH) => T.send({ channel: ch, msg: m, http, callbackBaseUrl: 'https://rp.example.com/' });

test('send: Messages API with basic auth, From/To/Body/MediaUrl and our status callback', async () => {
  fake.reply({ status: 201, body: { sid: 'SM1231', status: 'queued' } });
  const n = fake.requests.length;
  const r = await send(msg({ attachments: ['image/jpeg:https://foo.bar/image.jpg', 'image/png:https://foo.bar/2.png'] }));
  assert.equal(r.status, 'wired');
  assert.equal(r.externalId, 'SM1231');
  const req = fake.requests[n];
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/2010-04-01/Accounts/ACCOUNT_SID/Messages.json');
  assert.equal(req.headers.authorization, `Basic ${Buffer.from('ACCOUNT_SID:AUTH_TOKEN').toString('base64')}`);
  assert.equal(req.headers.accept, 'application/json');
  assert.equal(req.form.get('To'), '+250788383383');
  assert.equal(req.form.get('From'), '+12065551212');
  assert.equal(req.form.get('Body'), 'Simple Message ☺');
  assert.deepEqual(req.form.getAll('MediaUrl'), ['https://foo.bar/image.jpg', 'https://foo.bar/2.png']);
  assert.equal(req.form.get('StatusCallback'), `https://rp.example.com/c/t/${CH.uuid}/status?uuid=${MSG_UUID}&action=callback`);
  assert.ok(!r.logs[0].request.includes(Buffer.from('ACCOUNT_SID:AUTH_TOKEN').toString('base64')), 'credentials are redacted');
});

test('send: a messaging service sid is sent as MessagingServiceSid, with link shortening; no From without an address', async () => {
  fake.reply({ status: 201, body: { sid: 'SM1' } });
  const n = fake.requests.length;
  const ch = makeChannel({ type: 'T', address: '', config: { account_sid: 'AC', auth_token: 'tok', messaging_service_sid: 'MG1', link_shortening: true } });
  await send(msg(), ch);
  const req = fake.requests[n];
  assert.equal(req.form.get('MessagingServiceSid'), 'MG1');
  assert.equal(req.form.get('ShortenUrls'), 'true');
  assert.equal(req.form.get('From'), null);
});

test('send: provider errors', async () => {
  fake.reply({ status: 500, body: 'oops' });
  let r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['errored', true, 'connection_failed']);

  fake.reply({ status: 429, body: { code: 20429, message: 'Too Many Requests' } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable], ['errored', true]);

  fake.reply({ status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient' } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.contactStopped], ['failed', false, true]);

  fake.reply({ status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number." } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['failed', false, 'rejected_with_reason']);
  assert.equal(r.errors.at(-1)!.extCode, '21211');
  assert.match(r.errorReason!, /not a valid phone number/);

  fake.reply({ status: 400, body: { code: 63018, message: 'Rate limit exceeded for Channel' } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errors.at(-1)!.extCode], ['failed', false, '63018'], '63018 is only retried when a status callback reports it (courier)');
  fake.reply({ status: 401, body: '' });
  r = await send(msg());
  assert.deepEqual([r.status, r.errorCode], ['failed', 'response_status']);

  r = await send(msg(), makeChannel({ type: 'T', config: { account_sid: 'AC' } }));
  assert.deepEqual([r.status, r.errorCode], ['failed', 'channel_config']);
});

test("signature: matches Twilio's documented example vector", () => {
  const form = new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' });
  assert.equal(twilioSignature('https://mycompany.com/myapp.php?foo=1&bar=2', form, '12345'), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
});

const signed = (action: string, form: Record<string, string>, query: Record<string, string> = {}, token = 'AUTH_TOKEN') => {
  const path = `/c/t/${CH.uuid}/${action}`;
  const qs = new URLSearchParams(query).toString();
  const url = `https://rp.example.com${path}${qs ? `?${qs}` : ''}`;
  return makeRequest({ path, form, query, headers: { 'X-Twilio-Signature': twilioSignature(url, new URLSearchParams(form), token) } });
};

const MO = { ToCountry: 'US', ToState: 'CA', SmsMessageSid: 'SMe287', NumMedia: '0', ToCity: '', FromZip: '', SmsSid: 'SMe287', FromState: 'WA', SmsStatus: 'received', FromCity: '', Body: 'Msg', FromCountry: 'US', To: '+12065551212', ToZip: '', NumSegments: '1', MessageSid: 'SMe287', AccountSid: 'ACCOUNT_SID', From: '+14133881111', ApiVersion: '2010-04-01' };

test('receive: a signed form post becomes a msg; the answer is empty TwiML', async () => {
  const r = await T.receive({ channel: CH, action: 'receive', request: signed('receive', MO) });
  assert.deepEqual([r.response.status, r.response.contentType, r.response.body], [200, 'text/xml', '<?xml version="1.0" encoding="UTF-8"?><Response/>']);
  const ev = r.events[0] as IncomingMsgEvent;
  assert.deepEqual([ev.kind, ev.urn, ev.text, ev.externalId], ['msg', 'tel:+14133881111', 'Msg', 'SMe287']);

  const media = await T.receive({ channel: CH, action: 'receive', request: signed('receive', { ...MO, NumMedia: '2', MediaUrl0: 'https://api.twilio.com/m/0', MediaUrl1: 'https://api.twilio.com/m/1', Body: '' }) });
  assert.deepEqual((media.events[0] as IncomingMsgEvent).attachments, ['https://api.twilio.com/m/0', 'https://api.twilio.com/m/1']);
});

test('receive: missing, wrong or forged signatures are rejected', async () => {
  const unsigned = makeRequest({ path: `/c/t/${CH.uuid}/receive`, form: MO });
  let r = await T.receive({ channel: CH, action: 'receive', request: unsigned });
  assert.equal(r.response.status, 400);
  assert.match(r.response.body, /missing request signature/);
  r = await T.receive({ channel: CH, action: 'receive', request: signed('receive', MO, {}, 'OTHER') });
  assert.match(r.response.body, /invalid request signature/);
  const tampered = signed('receive', MO);
  tampered.body.raw = tampered.body.raw.replace('Body=Msg', 'Body=Evil');
  r = await T.receive({ channel: CH, action: 'receive', request: tampered });
  assert.match(r.response.body, /invalid request signature/);
  assert.equal(r.events.length, 0);
  // the signed URL is https whatever a proxy says the scheme was, and X-Forwarded-Path replaces the path
  const viaProxy = signed('receive', MO);
  viaProxy.url = viaProxy.url!.replace('https:', 'http:');
  r = await T.receive({ channel: CH, action: 'receive', request: viaProxy });
  assert.equal(r.response.status, 200, r.response.body);
  const form = new URLSearchParams(MO);
  const proxied = makeRequest({
    path: `/c/t/${CH.uuid}/receive`, form: MO,
    headers: { 'X-Forwarded-Path': '/rp/c/t/receive', 'X-Twilio-Signature': twilioSignature('https://rp.example.com/rp/c/t/receive', form, 'AUTH_TOKEN') },
  });
  r = await T.receive({ channel: CH, action: 'receive', request: proxied });
  assert.equal(r.response.status, 200, r.response.body);
});

test('status callbacks: by our uuid when given, else by MessageSid; 21610 adds a stop event; 63018 is errored', async () => {
  let r = await T.receive({ channel: CH, action: 'status', request: signed('status', { MessageSid: 'SM1', MessageStatus: 'delivered' }, { uuid: MSG_UUID, action: 'callback' }) });
  assert.deepEqual(r.events, [{ kind: 'status', msgUuid: MSG_UUID, status: 'delivered' }]);
  assert.equal(JSON.parse(r.response.body).message, 'Status Update Accepted');

  r = await T.receive({ channel: CH, action: 'status', request: signed('status', { MessageSid: 'SM1', MessageStatus: 'undelivered' }) });
  assert.deepEqual(r.events, [{ kind: 'status', externalId: 'SM1', status: 'failed' }]);

  r = await T.receive({ channel: CH, action: 'status', request: signed('status', { MessageSid: 'SM2', MessageStatus: 'failed', ErrorCode: '21610', To: '+14133881111' }) });
  assert.equal(r.events.length, 2);
  assert.equal(r.events[1].kind, 'channel_event');
  assert.equal((r.events[1] as { urn: string }).urn, 'tel:+14133881111');

  r = await T.receive({ channel: CH, action: 'status', request: signed('status', { MessageSid: 'SM3', MessageStatus: 'failed', ErrorCode: '63018' }) });
  assert.equal((r.events[0] as { status: string }).status, 'errored');

  r = await T.receive({ channel: CH, action: 'status', request: signed('status', { MessageSid: 'SM3', MessageStatus: 'huh' }) });
  assert.equal(r.response.status, 400);
  assert.match(r.response.body, /unknown status 'huh'/);

  r = await T.receive({ channel: CH, action: 'status', request: signed('status', { MessageSid: 'SM3' }) });
  assert.equal(r.response.status, 200);
  assert.match(r.response.body, /no msg status, ignoring/);
});

test('base64-encoded long SMS bodies are decoded', () => {
  const text = 'This is a long message that was concatenated and base64 encoded by the carrier, sadly.';
  const b64 = Buffer.from(text).toString('base64');
  assert.equal(decodePossibleBase64(b64), text);
  assert.equal(decodePossibleBase64('Hello'), 'Hello');
});
