import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient, REDACTED } from './http.ts';
import { startFakeProvider, type FakeProvider } from './testing.ts';

let fake: FakeProvider;
before(async () => {
  fake = await startFakeProvider();
});
after(() => fake.close());

test('base-URL overrides send a provider host to the local fake; logs keep the logical URL', async () => {
  fake.reply({ status: 201, body: { ok: true } });
  const http = new HttpClient({ overrides: { 'https://api.telegram.org': fake.url } });
  const res = await http.request({ method: 'POST', url: 'https://api.telegram.org/botSECRET/sendMessage?x=1', body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, redact: ['SECRET'] });
  assert.equal(res.status, 201);
  assert.deepEqual(JSON.parse(res.body), { ok: true });
  const got = fake.requests.at(-1)!;
  assert.equal(got.url, '/botSECRET/sendMessage?x=1');
  assert.equal(got.body, 'a=b');
  assert.equal(res.log.url, `https://api.telegram.org/bot${REDACTED}/sendMessage?x=1`);
  assert.equal(res.log.method, 'POST');
  assert.equal(res.log.status, 201);
  assert.ok(res.log.elapsedMs >= 0);
  assert.match(res.log.request, /^POST \/bot\*+\/sendMessage\?x=1 HTTP\/1.1\r\nHost: api.telegram.org\r\n/);
  assert.ok(!res.log.request.includes('SECRET'));
  assert.match(res.log.response, /^HTTP\/1.1 201 Created\r\n[\s\S]*\r\n\r\n\{"ok":true\}$/);
});

test('an override only matches at a URL boundary, the longest prefix wins', () => {
  const http = new HttpClient({ overrides: { 'https://api.twilio.com': 'http://127.0.0.1:1', 'https://api.twilio.com/2010-04-01': 'http://127.0.0.1:2/v' } });
  assert.equal(http.resolve('https://api.twilio.com.evil.org/x'), 'https://api.twilio.com.evil.org/x');
  assert.equal(http.resolve('https://api.twilio.com/x'), 'http://127.0.0.1:1/x');
  assert.equal(http.resolve('https://api.twilio.com/2010-04-01/Accounts'), 'http://127.0.0.1:2/v/Accounts');
  assert.equal(http.resolve('https://other.example/x'), 'https://other.example/x');
});

test('network errors, timeouts and oversized bodies come back as status 0 with an error, never a throw', async () => {
  const http = new HttpClient({ timeoutMs: 200, maxResponseBytes: 100 });
  fake.reply({ hangUp: true });
  const hung = await http.request({ url: `${fake.url}/x` });
  assert.equal(hung.status, 0);
  assert.match(hung.error!, /request failed/);
  assert.equal(hung.log.status, 0);

  fake.reply({ delayMs: 1000, body: 'late' });
  const slow = await http.request({ url: `${fake.url}/slow` });
  assert.equal(slow.status, 0);
  assert.match(slow.error!, /timed out after 200 ms/);

  fake.reply({ body: 'x'.repeat(1000) });
  const big = await http.request({ url: `${fake.url}/big` });
  assert.equal(big.status, 0);
  assert.match(big.error!, /larger than 100 bytes/);

  const closed = await startFakeProvider();
  await closed.close();
  const refused = await new HttpClient({ timeoutMs: 2000 }).request({ url: `${closed.url}/nothing` });
  assert.equal(refused.status, 0);
  assert.match(refused.error!, /ECONNREFUSED/);
});

test('log texts are truncated', async () => {
  fake.reply({ body: 'y'.repeat(500) });
  const http = new HttpClient({ maxLogChars: 120 });
  const res = await http.request({ method: 'POST', url: `${fake.url}/t`, body: 'z'.repeat(500) });
  assert.equal(res.body.length, 500);
  assert.match(res.log.request, /\.\.\.\(truncated, \d+ more characters\)$/);
  assert.ok(res.log.response.length < 200);
});

test('redirects are followed (303 becomes GET), with a limit', async () => {
  fake.reply((req) => (req.path === '/old' ? { status: 303, headers: { Location: '/new' }, body: '' } : { status: 200, body: `at ${req.method} ${req.path}` }));
  const http = new HttpClient();
  const res = await http.request({ method: 'POST', url: `${fake.url}/old`, body: 'x=1' });
  assert.equal(res.status, 200);
  assert.equal(res.body, 'at GET /new');
  fake.reply({ status: 302, headers: { Location: '/loop' }, body: '' });
  const loop = await http.request({ url: `${fake.url}/loop` });
  assert.equal(loop.status, 302, 'after the redirect limit the last answer is returned');
  http.close();
});
