import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient } from '../http.ts';
import { makeChannel, makeRequest, startFakeProvider, type FakeProvider } from '../testing.ts';
import type { IncomingMsgEvent, OutgoingMsg } from '../types.ts';
import { TG } from './index.ts';

let fake: FakeProvider;
let http: HttpClient;
before(async () => {
  fake = await startFakeProvider();
  http = new HttpClient({ overrides: { 'https://api.telegram.org': fake.url }, timeoutMs: 2000 });
});
after(() => fake.close());

const CH = makeChannel({ type: 'TG', address: 'rp_bot', schemes: ['telegram'], config: { auth_token: 'a123' } });
const msg = (over: Partial<OutgoingMsg> = {}): OutgoingMsg => ({
  uuid: '0191e180-7d60-7000-aded-7d8b151cbd5b', urn: 'telegram:12345', text: 'Simple Message', attachments: [], quickReplies: [], ...over,
});
const send = (m: OutgoingMsg, ch = CH) => TG.send({ channel: ch, msg: m, http, callbackBaseUrl: 'https://rp.example.com' });
let nextId = 133;
const ok = () => ({ status: 200, body: { ok: true, result: { message_id: nextId++ } } });

test('send: sendMessage with the bot token, Markdown and a one-time reply keyboard', async () => {
  fake.reply(ok);
  const n = fake.requests.length;
  const r = await send(msg({ quickReplies: [{ type: 'text', text: 'Yes' }, { type: 'text', text: 'No' }] }));
  assert.equal(r.status, 'wired');
  assert.match(r.externalId!, /^\d+$/);
  const req = fake.requests[n];
  assert.equal(req.path, '/bota123/sendMessage');
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(req.form.get('chat_id'), '12345');
  assert.equal(req.form.get('text'), 'Simple Message');
  assert.equal(req.form.get('parse_mode'), 'Markdown');
  assert.deepEqual(JSON.parse(req.form.get('reply_markup')!), { keyboard: [[{ text: 'Yes' }, { text: 'No' }]], resize_keyboard: true, one_time_keyboard: true });
  assert.ok(!r.logs[0].url.includes('a123'), 'the token is redacted in the log');
});

test('send: a single attachment carries the text as caption; several go one by one with the keyboard last', async () => {
  fake.reply(ok);
  let n = fake.requests.length;
  let r = await send(msg({ text: 'My pic!', attachments: ['image/jpeg:https://foo.bar/image.jpg'] }));
  assert.equal(r.status, 'wired');
  let req = fake.requests[n];
  assert.equal(req.path, '/bota123/sendPhoto');
  assert.equal(req.form.get('photo'), 'https://foo.bar/image.jpg');
  assert.equal(req.form.get('caption'), 'My pic!');
  assert.equal(req.form.get('reply_markup'), '{"remove_keyboard":true}');

  n = fake.requests.length;
  r = await send(msg({
    text: 'Files', quickReplies: [{ type: 'location' }],
    attachments: ['video/mp4:https://foo.bar/v.mp4', 'audio/mp3:https://foo.bar/a.mp3', 'application/pdf:https://foo.bar/d.pdf', 'text/plain:https://foo.bar/x.txt'],
  }));
  const reqs = fake.requests.slice(n);
  assert.deepEqual(reqs.map((q) => q.path), ['/bota123/sendMessage', '/bota123/sendVideo', '/bota123/sendAudio', '/bota123/sendDocument']);
  assert.equal(reqs[0].form.get('reply_markup'), '{"remove_keyboard":true}');
  assert.deepEqual(JSON.parse(reqs[3].form.get('reply_markup')!), { keyboard: [[{ text: 'Send Location', request_location: true }]], resize_keyboard: true, one_time_keyboard: false });
  assert.equal(r.externalIds.length, 4);
  assert.ok(r.errors.some((e) => e.code === 'media_unsupported'));
});

test('send: URL-only quick replies make an inline keyboard of links', async () => {
  fake.reply(ok);
  const n = fake.requests.length;
  await send(msg({ quickReplies: [{ type: 'url', text: 'Docs', extra: 'https://docs.example.org' }, { type: 'url', extra: 'not a url' }] }));
  assert.deepEqual(JSON.parse(fake.requests[n].form.get('reply_markup')!), { inline_keyboard: [[{ text: 'Docs', url: 'https://docs.example.org' }]] });
});

test('send: provider errors', async () => {
  fake.reply({ status: 502, body: 'bad gateway' });
  let r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['errored', true, 'connection_failed']);

  fake.reply({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5' } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable], ['errored', true]);

  fake.reply({ status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.contactStopped, r.errorCode], ['failed', false, true, 'contact_stopped']);

  fake.reply({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } });
  r = await send(msg());
  assert.deepEqual([r.status, r.retryable, r.errorCode], ['failed', false, 'rejected_with_reason']);
  assert.equal(r.errorReason, 'Bad Request: chat not found (400)');

  fake.reply({ status: 200, body: { ok: true, result: {} } });
  r = await send(msg());
  assert.deepEqual([r.status, r.errorCode], ['failed', 'response_content']);

  r = await send(msg(), makeChannel({ type: 'TG', schemes: ['telegram'], config: {} }));
  assert.deepEqual([r.status, r.errorCode], ['failed', 'channel_config']);
});

const update = (message: Record<string, unknown>) => ({
  update_id: 174114370,
  message: { message_id: 41, from: { id: 3527065, first_name: 'Nic', last_name: 'Pottier', username: 'NicPottier' }, chat: { id: 3527065, type: 'private' }, date: 1454119029, ...message },
});
const receive = (body: unknown) => TG.receive({ channel: CH, action: 'receive', request: makeRequest({ path: `/c/tg/${CH.uuid}/receive`, body: body as object }), http });

test('receive: a text update becomes a msg with the telegram URN, name and external id', async () => {
  const r = await receive(update({ text: 'Hello World' }));
  assert.equal(r.response.status, 200);
  const ev = r.events[0] as IncomingMsgEvent;
  assert.equal(ev.kind, 'msg');
  assert.equal(ev.urn, 'telegram:3527065#nicpottier');
  assert.equal(ev.text, 'Hello World');
  assert.equal(ev.externalId, '41');
  assert.equal(ev.contactName, 'Nic Pottier');
  assert.equal(ev.receivedOn.toISOString(), '2016-01-30T01:57:09.000Z');
});

test('receive: /start is a new_conversation event', async () => {
  const r = await receive(update({ text: '/start' }));
  assert.deepEqual(r.events, [{ kind: 'channel_event', eventType: 'new_conversation', urn: 'telegram:3527065#nicpottier', occurredOn: new Date(1454119029000), contactName: 'Nic Pottier' }]);
  assert.equal(JSON.parse(r.response.body).message, 'Event Accepted');
});

test('receive: photos are resolved through getFile; locations become geo attachments', async () => {
  fake.reply((req) => (req.path === '/bota123/getFile' ? { body: { ok: true, result: { file_id: req.form.get('file_id'), file_path: 'photos/file_0.jpg' } } } : { status: 404 }));
  const n = fake.requests.length;
  let r = await receive(update({ caption: 'Look', photo: [{ file_id: 'small', file_size: 1000 }, { file_id: 'medium', file_size: 50000 }, { file_id: 'big', file_size: 200000 }] }));
  assert.equal(fake.requests[n].form.get('file_id'), 'medium');
  let ev = r.events[0] as IncomingMsgEvent;
  assert.equal(ev.text, 'Look');
  assert.deepEqual(ev.attachments, ['https://api.telegram.org/file/bota123/photos/file_0.jpg']);
  assert.equal(r.logs.length, 1);

  r = await receive(update({ location: { latitude: -2.890287, longitude: -79.004333 } }));
  ev = r.events[0] as IncomingMsgEvent;
  assert.deepEqual(ev.attachments, ['geo:-2.890287,-79.004333']);
});

test('receive: no message is ignored; bad JSON and a missing update_id are 400', async () => {
  let r = await receive({ update_id: 1, edited_message: {} });
  assert.deepEqual(JSON.parse(r.response.body), { message: 'Ignored', data: [{ type: 'info', info: 'Ignoring request, no message' }] });
  assert.equal(r.events.length, 0);
  r = await TG.receive({ channel: CH, action: 'receive', request: makeRequest({ path: '/c/tg/x/receive', body: '{nope', headers: { 'content-type': 'application/json' } }) });
  assert.equal(r.response.status, 400);
  r = await receive({ message: { message_id: 1 } });
  assert.equal(r.response.status, 400);
});

test('receive: with a secret_token configured, the X-Telegram-Bot-Api-Secret-Token header must match', async () => {
  const ch = makeChannel({ type: 'TG', address: 'rp_bot', schemes: ['telegram'], config: { auth_token: 'a123', secret_token: 's3cret-Token_1' } });
  const req = (headers: Record<string, string>) => makeRequest({ path: `/c/tg/${ch.uuid}/receive`, body: update({ text: 'Hi' }) as object, headers });
  let r = await TG.receive({ channel: ch, action: 'receive', request: req({}) });
  assert.equal(r.response.status, 400);
  assert.match(r.response.body, /invalid or missing secret token/);
  assert.equal(r.events.length, 0);
  r = await TG.receive({ channel: ch, action: 'receive', request: req({ 'X-Telegram-Bot-Api-Secret-Token': 's3cret-Token_2' }) });
  assert.equal(r.response.status, 400);
  r = await TG.receive({ channel: ch, action: 'receive', request: req({ 'X-Telegram-Bot-Api-Secret-Token': 's3cret-Token_1' }) });
  assert.equal(r.response.status, 200);
  assert.equal((r.events[0] as IncomingMsgEvent).text, 'Hi');
});
