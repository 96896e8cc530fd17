import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient } from './http.ts';
import { channelTypes } from './index.ts';
import { receiveLogRecord, sendLogRecord } from './logs.ts';
import { dispatchReceive, type ReceiveLog } from './routes.ts';
import { makeChannel, makeRequest, startFakeProvider } from './testing.ts';

test('a send log holds the provider exchange with secrets redacted, and the error', async (t) => {
  const fake = await startFakeProvider({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } });
  t.after(() => fake.close());
  const ch = makeChannel({ type: 'TG', schemes: ['telegram'], config: { auth_token: 'SECRET-TOKEN' } });
  const result = await channelTypes.TG.send({
    channel: ch, http: new HttpClient({ overrides: { 'https://api.telegram.org': fake.url } }), callbackBaseUrl: 'https://x',
    msg: { uuid: '0191e180-7d60-7000-aded-7d8b151cbd5b', urn: 'telegram:1', text: 'hi', attachments: [], quickReplies: [] },
  });
  const rec = sendLogRecord(ch, '0191e180-7d60-7000-aded-7d8b151cbd5b', result);
  assert.equal(rec.log_type, 'msg_send');
  assert.equal(rec.is_error, true);
  assert.equal(rec.http_logs.length, 1);
  assert.equal(rec.http_logs[0].status_code, 400);
  assert.equal(rec.http_logs[0].url, 'https://api.telegram.org/bot**********/sendMessage');
  assert.ok(!JSON.stringify(rec).includes('SECRET-TOKEN'));
  assert.deepEqual(rec.errors, [{ code: 'rejected_with_reason', ext_code: '400', message: 'Bad Request: chat not found' }]);
});

test('a receive log starts with the incoming request and our answer; its type follows the events', async () => {
  const ch = makeChannel({ type: 'EX', config: {} });
  let captured: ReceiveLog | undefined;
  const opts = { lookupChannel: async () => ch, onEvents: async () => {}, onLog: (_c: unknown, l: ReceiveLog) => { captured = l; } };
  const r = await dispatchReceive(opts, makeRequest({ path: `/c/ex/${ch.uuid}/receive`, form: { from: '+250788383383', text: 'hi' } }));
  const rec = receiveLogRecord(ch, captured!, r.events);
  assert.equal(rec.log_type, 'msg_receive');
  assert.equal(rec.is_error, false);
  assert.match(rec.http_logs[0].request, /^POST \/c\/ex\/[0-9a-f-]+\/receive HTTP\/1.1\r\n[\s\S]*from=%2B250788383383&text=hi$/);
  assert.match(rec.http_logs[0].response, /^HTTP\/1.1 200\r\nContent-Type: application\/json\r\n\r\n\{"message":"Message Accepted"/);

  const s = await dispatchReceive(opts, makeRequest({ path: `/c/ex/${ch.uuid}/delivered`, form: { id: '0191e180-7d60-7000-aded-7d8b151cbd5b' } }));
  assert.equal(receiveLogRecord(ch, captured!, s.events).log_type, 'msg_status');
  const bad = await dispatchReceive(opts, makeRequest({ path: `/c/ex/${ch.uuid}/receive`, form: { text: 'x' } }));
  const badRec = receiveLogRecord(ch, captured!, bad.events);
  assert.equal(badRec.is_error, true);
  assert.equal(badRec.http_logs[0].status_code, 400);
});
