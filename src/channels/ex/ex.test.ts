import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient } from '../http.ts';
import { makeChannel, makeRequest, startFakeProvider, type FakeProvider } from '../testing.ts';
import type { Channel, IncomingMsgEvent, OutgoingMsg } from '../types.ts';
import { EX } from './index.ts';

let fake: FakeProvider;
const http = new HttpClient({ timeoutMs: 2000 });
before(async () => {
  fake = await startFakeProvider();
});
after(() => fake.close());

const MSG_UUID = '0191e180-7d60-7000-aded-7d8b151cbd5b';
const msg = (over: Partial<OutgoingMsg> = {}): OutgoingMsg => ({
  uuid: MSG_UUID, urn: 'tel:+250788383383', text: 'Simple Message', attachments: [], quickReplies: [], ...over,
});
const channel = (config: Record<string, unknown>): Channel => makeChannel({ type: 'EX', config: { send_url: `${fake.url}/send`, ...config } });
const send = (ch: Channel, m: OutgoingMsg) => EX.send({ channel: ch, msg: m, http, callbackBaseUrl: 'https://rp.example.com' });

test('send: POST urlencoded body template with every variable, Authorization and extra headers', async () => {
  fake.reply({ status: 200, body: '0: Accepted for delivery' });
  const n = fake.requests.length;
  const ch = channel({
    body: 'id={{id}}&uuid={{uuid}}&text={{text}}&to={{to}}&to_no_plus={{to_no_plus}}&from={{from}}&from_no_plus={{from_no_plus}}&channel={{channel}}&s={{session_status}}{{quick_replies}}',
    send_authorization: 'Token abc123',
    headers: { 'X-Custom': 'yes' },
  });
  const r = await send(ch, msg({ text: 'Héllo & ☺ "x"', quickReplies: [{ type: 'text', text: 'One' }, { type: 'text', text: 'Two & 3' }, { type: 'url', text: 'Site', extra: 'https://x.org' }], sessionStatus: 'W' }));
  assert.equal(r.status, 'wired');
  assert.equal(r.retryable, false);
  assert.equal(r.logs.length, 1);
  const req = fake.requests[n];
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/send');
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(req.headers.authorization, 'Token abc123');
  assert.equal(req.headers['x-custom'], 'yes');
  assert.equal(req.form.get('id'), MSG_UUID);
  assert.equal(req.form.get('uuid'), MSG_UUID);
  assert.equal(req.form.get('text'), 'Héllo & ☺ "x"');
  assert.equal(req.form.get('to'), '+250788383383');
  assert.equal(req.form.get('to_no_plus'), '250788383383');
  assert.equal(req.form.get('from'), '2020');
  assert.equal(req.form.get('channel'), ch.uuid);
  assert.equal(req.form.get('s'), 'W');
  assert.deepEqual(req.form.getAll('quick_reply'), ['One', 'Two & 3']);
  assert.ok(!r.logs[0].request.includes('abc123'), 'the authorization value is redacted from the log');
});

test('send: JSON and XML body templates encode values for their content type', async () => {
  fake.reply({ status: 200, body: 'ok' });
  let n = fake.requests.length;
  const json = await send(
    channel({ content_type: 'json', body: '{ "to":{{to}}, "text":{{text}}, "from":{{from}}, "quick_replies":{{quick_replies}} }' }),
    msg({ text: '☺ "hi!"', quickReplies: [{ text: 'One' }, { text: 'Two' }] }),
  );
  assert.equal(json.status, 'wired');
  assert.equal(fake.requests[n].headers['content-type'], 'application/json');
  assert.deepEqual(fake.requests[n].json, { to: '+250788383383', text: '☺ "hi!"', from: '2020', quick_replies: ['One', 'Two'] });

  n = fake.requests.length;
  await send(
    channel({ content_type: 'xml', body: '<msg><to>{{to}}</to><text>{{text}}</text><from>{{from}}</from><quick_replies>{{quick_replies}}</quick_replies></msg>' }),
    msg({ text: 'My pic!', attachments: ['image/jpeg:https://foo.bar/image.jpg'], quickReplies: [{ text: 'A<B' }] }),
  );
  assert.equal(fake.requests[n].headers['content-type'], 'text/xml; charset=utf-8');
  assert.equal(fake.requests[n].body, '<msg><to>+250788383383</to><text>My pic!&#xA;https://foo.bar/image.jpg</text><from>2020</from><quick_replies><item>A&lt;B</item></quick_replies></msg>');
});

test('send: GET puts the variables in the URL; long texts are split with quick replies on the last part', async () => {
  fake.reply({ status: 200, body: 'ok' });
  const n = fake.requests.length;
  const r = await send(
    channel({ method: 'GET', send_url: `${fake.url}/send?to={{to}}&text={{text}}&from={{from}}{{quick_replies}}`, max_length: 30 }),
    msg({ text: 'This is a long message that will be longer than 30....... characters', quickReplies: [{ text: 'One' }] }),
  );
  assert.equal(r.status, 'wired');
  const reqs = fake.requests.slice(n);
  assert.deepEqual(reqs.map((q) => q.method), ['GET', 'GET', 'GET']);
  assert.deepEqual(reqs.map((q) => q.query.get('text')), ['This is a long message that', 'will be longer than 30.......', 'characters']);
  assert.deepEqual(reqs.map((q) => q.query.getAll('quick_reply')), [[], [], ['One']]);
  assert.equal(reqs[0].body, '');
});

test('send: smart encoding replaces smart quotes; use_national sends the national number', async () => {
  fake.reply({ status: 200, body: 'ok' });
  const n = fake.requests.length;
  await send(channel({ encoding: 'S', use_national: true, body: 'to={{to}}&text={{text}}' }), msg({ text: 'Fancy “Smart” Quotes' }));
  assert.equal(fake.requests[n].form.get('text'), 'Fancy "Smart" Quotes');
  assert.equal(fake.requests[n].form.get('to'), '0788383383');
});

test('send: provider errors — 5xx and network errors are errored + retryable, 4xx and a failed response check are failed', async () => {
  fake.reply({ status: 503, body: 'down' });
  let r = await send(channel({}), msg());
  assert.equal(r.status, 'errored');
  assert.equal(r.retryable, true);
  assert.equal(r.errorCode, 'connection_failed');
  assert.equal(r.logs[0].status, 503);

  fake.reply({ hangUp: true });
  r = await send(channel({}), msg());
  assert.equal(r.status, 'errored');
  assert.equal(r.retryable, true);

  fake.reply({ status: 429, body: 'slow down' });
  r = await send(channel({}), msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['errored', true, 'connection_throttled']);

  fake.reply({ status: 401, body: '1: Unknown channel' });
  r = await send(channel({}), msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['failed', false, 'response_status']);

  fake.reply({ status: 200, body: '1: Queue full' });
  r = await send(channel({ mt_response_check: '0: Accepted' }), msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['failed', false, 'response_content']);
  fake.reply({ status: 200, body: '0: Accepted for delivery' });
  r = await send(channel({ mt_response_check: '0: Accepted' }), msg());
  assert.equal(r.status, 'wired');

  r = await send(makeChannel({ type: 'EX', config: {} }), msg());
  assert.deepEqual([r.status, r.errorCode], ['failed', 'channel_config']);
});

const CH = makeChannel({ type: 'EX', config: {} });
const path = (action: string) => `/c/ex/${CH.uuid}/${action}`;
const now = () => new Date('2026-01-02T03:04:05.000Z');

test('receive: POST form with from/text makes a msg event with a normalised URN', async () => {
  const r = await EX.receive({ channel: CH, action: 'receive', request: makeRequest({ path: path('receive'), form: { from: '0788383383', text: 'Join' } }), now });
  assert.equal(r.response.status, 200);
  assert.equal(r.events.length, 1);
  const ev = r.events[0] as IncomingMsgEvent;
  assert.equal(ev.kind, 'msg');
  assert.equal(ev.urn, 'tel:+250788383383');
  assert.equal(ev.text, 'Join');
  assert.equal(ev.receivedOn.toISOString(), '2026-01-02T03:04:05.000Z');
  const body = JSON.parse(r.response.body);
  assert.equal(body.message, 'Message Accepted');
  assert.deepEqual(body.data[0], { type: 'msg', channel_uuid: CH.uuid, msg_uuid: ev.uuid, text: 'Join', urn: 'tel:+250788383383', received_on: '2026-01-02T03:04:05.000Z' });
});

test('receive: GET query, sender alias, date, JSON bodies and configured field names', async () => {
  let r = await EX.receive({ channel: CH, action: 'receive', request: makeRequest({ method: 'GET', path: path('receive'), query: { sender: '+250788383384', text: 'hi', date: '2017-06-23T12:30:00.500Z' } }) });
  let ev = r.events[0] as IncomingMsgEvent;
  assert.equal(ev.urn, 'tel:+250788383384');
  assert.equal(ev.receivedOn.toISOString(), '2017-06-23T12:30:00.500Z');

  r = await EX.receive({ channel: CH, action: 'receive', request: makeRequest({ path: path('receive'), body: { from: '+250788383385', text: 'json hi' } }) });
  ev = r.events[0] as IncomingMsgEvent;
  assert.deepEqual([ev.urn, ev.text], ['tel:+250788383385', 'json hi']);

  const custom = makeChannel({ type: 'EX', config: { mo_from_field: 'msisdn', mo_text_field: 'body' } });
  r = await EX.receive({ channel: custom, action: 'receive', request: makeRequest({ path: path('receive'), form: { msisdn: '+250788383386', body: 'custom' } }) });
  ev = r.events[0] as IncomingMsgEvent;
  assert.deepEqual([ev.urn, ev.text], ['tel:+250788383386', 'custom']);
});

test('receive: errors are 400 with courier\'s messages', async () => {
  let r = await EX.receive({ channel: CH, action: 'receive', request: makeRequest({ path: path('receive'), form: { text: 'no sender' } }) });
  assert.equal(r.response.status, 400);
  assert.deepEqual(JSON.parse(r.response.body), { message: 'Error', data: [{ type: 'error', error: "must have one of 'sender' or 'from' set" }] });
  assert.equal(r.events.length, 0);
  r = await EX.receive({ channel: CH, action: 'receive', request: makeRequest({ path: path('receive'), form: { from: '+250788383383', text: 'x', date: 'yesterday' } }) });
  assert.equal(r.response.status, 400);
  assert.match(r.response.body, /invalid date format, must be RFC 3339/);
});

test('receive: mo_response overrides the answer; XML bodies are read with from_xpath/text_xpath', async () => {
  const ch = makeChannel({ type: 'EX', config: { mo_response: '<ok/>', mo_response_content_type: 'text/xml', from_xpath: '//Envelope/Body/from', text_xpath: '//text' } });
  const xml = '<?xml version="1.0"?><Envelope><Body><from>+250788383383</from><text>Hi &amp; bye</text></Body></Envelope>';
  const r = await EX.receive({ channel: ch, action: 'receive', request: makeRequest({ path: path('receive'), body: xml, headers: { 'content-type': 'text/xml' } }) });
  assert.deepEqual(r.response, { status: 200, body: '<ok/>', contentType: 'text/xml' });
  const ev = r.events[0] as IncomingMsgEvent;
  assert.deepEqual([ev.urn, ev.text], ['tel:+250788383383', 'Hi & bye']);
});

test('status callbacks: sent/delivered/failed by id or uuid', async () => {
  for (const action of ['sent', 'delivered', 'failed'] as const) {
    const r = await EX.receive({ channel: CH, action, request: makeRequest({ path: path(action), form: { id: MSG_UUID } }) });
    assert.equal(r.response.status, 200);
    assert.deepEqual(r.events, [{ kind: 'status', msgUuid: MSG_UUID, status: action }]);
    assert.equal(JSON.parse(r.response.body).message, 'Status Update Accepted');
  }
  const byUuid = await EX.receive({ channel: CH, action: 'delivered', request: makeRequest({ method: 'GET', path: path('delivered'), query: { uuid: MSG_UUID.toUpperCase() } }) });
  assert.deepEqual(byUuid.events, [{ kind: 'status', msgUuid: MSG_UUID, status: 'delivered' }]);

  let bad = await EX.receive({ channel: CH, action: 'sent', request: makeRequest({ path: path('sent'), form: {} }) });
  assert.equal(bad.response.status, 400);
  assert.match(bad.response.body, /parameters id or uuid should not be empty/);
  bad = await EX.receive({ channel: CH, action: 'sent', request: makeRequest({ path: path('sent'), form: { id: '12345' } }) });
  assert.match(bad.response.body, /parsing failed: id '12345' and uuid '' are not valid UUIDs/);
});

test('stopped: a stop_contact event', async () => {
  const r = await EX.receive({ channel: CH, action: 'stopped', request: makeRequest({ path: path('stopped'), form: { from: '+250788383383' } }), now });
  assert.deepEqual(r.events, [{ kind: 'channel_event', eventType: 'stop_contact', urn: 'tel:+250788383383', occurredOn: now() }]);
  assert.equal(JSON.parse(r.response.body).message, 'Event Accepted');
});
