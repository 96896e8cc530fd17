import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, makeWorkspace, type TestWorkspace } from '../testing/api.ts';
import { makeMessagingApp, waitUntil } from '../testing/msgs.ts';
import { startFakeProvider, type FakeProvider } from '../channels/testing.ts';
import { createChannel } from '../models/channels.ts';

process.env.RAPIDPRO_RETRY_BASE_SECONDS = '1';

forEachDatabase('sending: retries, backoff, failure, status callbacks', (db) => {
  let m: Awaited<ReturnType<typeof makeMessagingApp>>;
  let ws: TestWorkspace;
  let api: ApiClient;
  let fake: FakeProvider;
  let channelUuid: string;
  const failuresLeft = new Map<string, number>();
  before(async () => {
    m = await makeMessagingApp(db());
    ws = await makeWorkspace(db().db);
    api = new ApiClient(m.app, ws.admin.token);
    // numbers ending in 1: two errors then success; ending in 9: always down
    fake = await startFakeProvider((r) => {
      const to = r.form.get('to') ?? '';
      if (to.endsWith('9')) return { status: 503, body: 'down' };
      const left = failuresLeft.get(to) ?? (to.endsWith('1') ? 2 : 0);
      failuresLeft.set(to, left - 1);
      return left > 0 ? { status: 500, body: 'oops' } : { status: 200, body: 'ok' };
    });
    channelUuid = (await createChannel(db().db, ws.workspace, { type: 'EX', name: 'Fake', address: '+250788000000', config: { send_url: `${fake.url}/send` } })).uuid;
  });
  after(async () => {
    await m?.close();
    await fake?.close();
  });

  const row = (uuid: string) => db().db.selectFrom('msgs').select(['status', 'error_count', 'failed_reason', 'next_attempt', 'sent_on', 'external_id']).where('uuid', '=', uuid).executeTakeFirstOrThrow();

  test('provider errors → errored with backoff, retried until sent; failed after three errors', async () => {
    const flaky = (await api.post('/api/v2/contacts.json', { urns: ['tel:+250788100001'] })).json();
    const dead = (await api.post('/api/v2/contacts.json', { urns: ['tel:+250788100009'] })).json();
    const a = (await api.post('/api/v2/messages.json', { contact: flaky.uuid, text: 'hello' })).json();
    const b = (await api.post('/api/v2/messages.json', { contact: dead.uuid, text: 'hello' })).json();
    await waitUntil(async () => (await row(a.uuid)).error_count >= 1, 10_000, 'first error');
    const first = await row(a.uuid);
    assert.equal(first.status, 'E');
    assert.ok(first.next_attempt, 'errored messages have a next attempt');
    assert.equal((await api.get(`/api/v2/messages.json?uuid=${a.uuid}`)).json().results[0].status, 'errored');
    assert.deepEqual((await api.get('/api/v2/messages.json?folder=outbox')).json().results.map((x: any) => x.uuid).sort(), [a.uuid, b.uuid].sort());

    await waitUntil(async () => (await row(a.uuid)).status === 'W', 20_000, 'sent after retries');
    const done = await row(a.uuid);
    assert.equal(done.error_count, 2);
    assert.equal(done.next_attempt, null);
    assert.ok(done.sent_on);
    assert.equal(fake.requests.filter((r) => r.form.get('to') === '+250788100001').length, 3);

    await waitUntil(async () => (await row(b.uuid)).status === 'F', 20_000, 'failed after three errors');
    const failed = await row(b.uuid);
    assert.equal(failed.error_count, 3);
    assert.equal(failed.failed_reason, 'E');
    assert.equal(fake.requests.filter((r) => r.form.get('to') === '+250788100009').length, 3);
    assert.deepEqual((await api.get('/api/v2/messages.json?folder=failed')).json().results.map((x: any) => x.uuid), [b.uuid]);
  });

  test('status callbacks move messages forward (delivered), never back', async () => {
    const c = (await api.post('/api/v2/contacts.json', { urns: ['tel:+250788100002'] })).json();
    const msg = (await api.post('/api/v2/messages.json', { contact: c.uuid, text: 'track me' })).json();
    await waitUntil(async () => (await row(msg.uuid)).status === 'W', 10_000, 'wired');
    const cb = (action: string) => m.app.inject({ method: 'POST', url: `/c/ex/${channelUuid}/${action}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `id=${msg.uuid}` });
    assert.equal((await cb('delivered')).statusCode, 200);
    assert.equal((await row(msg.uuid)).status, 'D');
    assert.equal((await cb('sent')).statusCode, 200);
    assert.equal((await row(msg.uuid)).status, 'D', 'a late "sent" does not undo "delivered"');
    assert.equal((await api.get(`/api/v2/messages.json?uuid=${msg.uuid}`)).json().results[0].status, 'delivered');
    assert.equal((await cb('failed')).statusCode, 200);
    assert.equal((await row(msg.uuid)).status, 'F');
  });

  test('a removed channel fails its queued messages', async () => {
    const c = (await api.post('/api/v2/contacts.json', { urns: ['tel:+250788100003'] })).json();
    await db().db.transaction().execute(async (tx) => {
      // queue a message and deactivate the channel before the send job runs
      await tx.updateTable('channels').set({ is_active: false }).where('uuid', '=', channelUuid).execute();
    });
    const msg = (await api.post('/api/v2/messages.json', { contact: c.uuid, text: 'nowhere' })).json();
    assert.equal(msg.status, 'failed', 'no active channel: failed at once');
    await db().db.updateTable('channels').set({ is_active: true }).where('uuid', '=', channelUuid).execute();
  });
});
