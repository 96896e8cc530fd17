import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, makeWorkspace, type TestWorkspace } from '../testing/api.ts';
import { waitUntil } from '../testing/msgs.ts';
import { startFakeProvider, type FakeProvider } from '../channels/testing.ts';
import { HttpClient } from '../channels/http.ts';
import { twilioSignature } from '../channels/t/receive.ts';
import { createChannel } from '../models/channels.ts';
import { createJobQueue } from '../jobs/index.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { buildServer } from '../api/server.ts';

process.env.RAPIDPRO_RETRY_BASE_SECONDS = '1';

const HOST = 'rp.example.com';
const TG_TOKEN = '123456:tg-token';
const TW_SID = 'AC0123456789abcdef0123456789abcdef';
const TW_TOKEN = 'tw-token';
const WAC_PHONE_ID = '110200340056007';

// Twilio: numbers ending in 7 are accepted with a fresh sid each time
let sid = 0;

forEachDatabase('what a send result means for the contact; errored status callbacks', (db) => {
  let app: FastifyInstance;
  let jobs: JobQueue;
  let fake: FakeProvider;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  const channel: Record<'TG' | 'T' | 'WAC', string> = { TG: '', T: '', WAC: '' };

  before(async () => {
    fake = await startFakeProvider((r) => {
      if (r.path === `/bot${TG_TOKEN}/sendMessage`) {
        return r.form.get('chat_id') === '666'
          ? { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }
          : { status: 200, body: { ok: true, result: { message_id: 7 } } };
      }
      if (r.path === `/2010-04-01/Accounts/${TW_SID}/Messages.json`) return { status: 201, body: { sid: `SM${++sid}`, status: 'queued' } };
      if (r.path === `/v25.0/${WAC_PHONE_ID}/messages`) {
        // the provider tells us the recipient's WhatsApp user id (a BSUID)
        const to = (r.json as any)?.to;
        return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to, user_id: `RW.user${to}` }], messages: [{ id: `wamid.${to}` }] } };
      }
      return { status: 404, body: 'no such provider path' };
    });
    const http = new HttpClient({
      timeoutMs: 5000,
      overrides: { 'https://api.telegram.org': fake.url, 'https://api.twilio.com': fake.url, 'https://graph.facebook.com': fake.url },
    });
    jobs = createJobQueue(db(), { pollingIntervalSeconds: 0.5, messaging: { http, callbackBaseUrl: `https://${HOST}` } });
    await jobs.work();
    app = await buildServer({ db: db().db, jobs });
    await app.ready();
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    channel.TG = (await createChannel(db().db, ws.workspace, { type: 'TG', name: 'Bot', address: 'rp_bot', config: { auth_token: TG_TOKEN } })).uuid;
    channel.T = (await createChannel(db().db, ws.workspace, { type: 'T', name: 'Twilio', address: '+14155550100', country: 'US', config: { account_sid: TW_SID, auth_token: TW_TOKEN } })).uuid;
    channel.WAC = (await createChannel(db().db, ws.workspace, { type: 'WAC', name: 'WhatsApp', address: WAC_PHONE_ID, config: { auth_token: 'wac-token', app_secret: 'wac-secret' } })).uuid;
  });
  after(async () => {
    await app?.close();
    await jobs?.stop();
    await fake?.close();
  });

  const msgRow = (uuid: string) => db().db.selectFrom('msgs').select(['id', 'status', 'error_count', 'failed_reason', 'next_attempt', 'external_id']).where('uuid', '=', uuid).executeTakeFirstOrThrow();
  const contactOf = async (uuid: string) => (await api.get(`/api/v2/contacts.json?uuid=${uuid}`)).json().results[0];

  test('a provider saying the contact opted out: the message fails, a stop-contact event is stored, the contact is stopped and leaves its groups', async () => {
    const g = (await api.post('/api/v2/groups.json', { name: 'Subscribers' })).json();
    const gone = (await api.post('/api/v2/contacts.json', { name: 'Gone', urns: ['telegram:666'], groups: [g.uuid] })).json();
    const stays = (await api.post('/api/v2/contacts.json', { name: 'Stays', urns: ['telegram:777'], groups: [g.uuid] })).json();
    const a = (await api.post('/api/v2/messages.json', { contact: gone.uuid, text: 'hello' })).json();
    const b = (await api.post('/api/v2/messages.json', { contact: stays.uuid, text: 'hello' })).json();
    await waitUntil(async () => (await msgRow(a.uuid)).status === 'F' && (await msgRow(b.uuid)).status === 'W', 15_000, 'outcomes');
    const failed = await msgRow(a.uuid);
    assert.equal(failed.next_attempt, null, 'a stop is never retried');
    assert.equal(fake.requests.filter((r) => r.form.get('chat_id') === '666').length, 1);

    const c = await contactOf(gone.uuid);
    assert.equal(c.status, 'stopped');
    assert.deepEqual(c.groups, []);
    const kept = await contactOf(stays.uuid);
    assert.equal(kept.status, 'active');
    assert.deepEqual(kept.groups.map((x: any) => x.uuid), [g.uuid]);

    const events = (await api.get('/api/v2/channel_events.json')).json().results;
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'stop-contact');
    assert.equal(events[0].contact.uuid, gone.uuid);
    assert.equal(events[0].channel.uuid, channel.TG);
    assert.deepEqual((await api.as(other.admin.token).get('/api/v2/channel_events.json')).json().results, []);
  });

  test('a URN the provider gives for the recipient is appended to the contact, unless another contact owns it', async () => {
    const eve = (await api.post('/api/v2/contacts.json', { name: 'Eve', urns: ['whatsapp:250788000005'] })).json();
    const owner = (await api.post('/api/v2/contacts.json', { name: 'Owner', urns: ['whatsapp:RW.user250788000006'] })).json();
    const fay = (await api.post('/api/v2/contacts.json', { name: 'Fay', urns: ['whatsapp:250788000006'] })).json();
    const a = (await api.post('/api/v2/messages.json', { contact: eve.uuid, text: 'hi' })).json();
    const b = (await api.post('/api/v2/messages.json', { contact: fay.uuid, text: 'hi' })).json();
    await waitUntil(async () => (await msgRow(a.uuid)).status === 'W' && (await msgRow(b.uuid)).status === 'W', 15_000, 'wired');
    assert.deepEqual((await contactOf(eve.uuid)).urns, ['whatsapp:250788000005', 'whatsapp:RW.user250788000005'], 'appended after the URN we sent to');
    assert.deepEqual((await contactOf(fay.uuid)).urns, ['whatsapp:250788000006'], 'a URN owned by another contact is not taken');
    assert.deepEqual((await contactOf(owner.uuid)).urns, ['whatsapp:RW.user250788000006']);
    const urn = await db().db.selectFrom('contact_urns').innerJoin('channels', 'channels.id', 'contact_urns.channel_id').select('channels.uuid')
      .where('contact_urns.identity', '=', 'whatsapp:RW.user250788000005').executeTakeFirstOrThrow();
    assert.equal(urn.uuid, channel.WAC, 'the new URN talks through the channel that revealed it');
    // sending again to Eve adds nothing more
    const again = (await api.post('/api/v2/messages.json', { contact: eve.uuid, text: 'again' })).json();
    await waitUntil(async () => (await msgRow(again.uuid)).status === 'W', 15_000, 'wired again');
    assert.equal((await contactOf(eve.uuid)).urns.length, 2);
  });

  test('an errored status callback (Twilio 63018) retries the message with backoff, like an errored send; failed at the limit', async () => {
    const c = (await api.post('/api/v2/contacts.json', { urns: ['tel:+14155550107'] })).json();
    const msg = (await api.post('/api/v2/messages.json', { contact: c.uuid, text: 'throttled' })).json();
    await waitUntil(async () => (await msgRow(msg.uuid)).status === 'W', 15_000, 'wired');
    const statusCallback = (externalId: string) => {
      const path = `/c/t/${channel.T}/status`;
      const values = { MessageSid: externalId, MessageStatus: 'failed', ErrorCode: '63018', AccountSid: TW_SID, To: '+14155550107' };
      return app.inject({
        method: 'POST', url: path, payload: new URLSearchParams(values).toString(),
        headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(`https://${HOST}${path}`, new URLSearchParams(values), TW_TOKEN) },
      });
    };
    const requestsTo = () => fake.requests.filter((r) => r.form.get('To') === '+14155550107').length;
    for (let n = 1; n <= 3; n++) {
      const before = await msgRow(msg.uuid);
      assert.equal(before.status, 'W');
      const res = await statusCallback(before.external_id!);
      assert.equal(res.statusCode, 200, res.body);
      const after = await msgRow(msg.uuid);
      assert.equal(after.error_count, n);
      if (n < 3) {
        assert.equal(after.status, 'E');
        assert.ok(after.next_attempt, 'errored with a next attempt');
        assert.equal((await api.get(`/api/v2/messages.json?uuid=${msg.uuid}`)).json().results[0].status, 'errored');
        // the delayed send job queued with the status sends it again
        await waitUntil(async () => (await msgRow(msg.uuid)).status === 'W', 15_000, `re-sent after error ${n}`);
        assert.equal(requestsTo(), n + 1);
      } else {
        assert.equal(after.status, 'F');
        assert.equal(after.failed_reason, 'E');
        assert.equal(after.next_attempt, null);
      }
    }
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(requestsTo(), 3, 'no retry after the third error');
  });
});
