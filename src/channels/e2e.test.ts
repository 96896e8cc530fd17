// Every channel type end to end, through the real server, job workers and database: channels made
// as the CLI makes them, a broadcast POSTed to the API reaches one fake provider (127.0.0.1) through
// each type with per-contact text, status callbacks move the messages on, replies through the receive
// URLs land in the inbox, and provider errors leave messages errored with a retry that then succeeds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, makeWorkspace, type TestWorkspace } from '../testing/api.ts';
import { waitUntil } from '../testing/msgs.ts';
import { buildServer } from '../api/server.ts';
import { createJobQueue } from '../jobs/index.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { createChannel } from '../models/channels.ts';
import { HttpClient } from './http.ts';
import { startFakeProvider, type FakeProvider, type FakeReply, type RecordedRequest } from './testing.ts';
import { twilioSignature } from './t/receive.ts';

// errored messages are retried after 3 s (then 6 s...): long enough to see them errored, short enough to see the retry
process.env.RAPIDPRO_RETRY_BASE_SECONDS = '3';

const HOST = 'rp.example.com';
const TG_TOKEN = '123456:tg-token';
const TW_SID = 'AC0123';
const TW_TOKEN = 'tw-auth-token';
const WAC_PHONE_ID = '106444401234567';
const WAC_SECRET = 'wac-app-secret';

type TypeCode = 'EX' | 'TG' | 'T' | 'NX' | 'WAC';
const TYPES: TypeCode[] = ['EX', 'TG', 'T', 'NX', 'WAC'];

/** Which provider a recorded request went to. */
function providerOf(r: RecordedRequest): TypeCode | null {
  if (r.path === '/ex/send') return 'EX';
  if (r.path.startsWith(`/bot${TG_TOKEN}/`)) return 'TG';
  if (r.path === `/2010-04-01/Accounts/${TW_SID}/Messages.json`) return 'T';
  if (r.path === '/sms/json') return 'NX';
  if (r.path === `/v25.0/${WAC_PHONE_ID}/messages`) return 'WAC';
  return null;
}

let seq = 100;
/** Each provider's success answer (with a fresh provider message id), or its retryable error. */
function providerReply(type: TypeCode, failing: boolean): FakeReply {
  const n = seq++;
  switch (type) {
    case 'EX':
      return failing ? { status: 503, body: 'down for maintenance' } : { status: 200, body: 'queued' };
    case 'TG':
      return failing
        ? { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5' } }
        : { status: 200, body: { ok: true, result: { message_id: n } } };
    case 'T':
      return failing ? { status: 500, body: 'internal error' } : { status: 201, body: { sid: `SM${n}`, status: 'queued' } };
    case 'NX':
      return failing
        ? { status: 200, body: { 'message-count': '1', messages: [{ status: '1', 'error-text': 'Throughput Rate Exceeded - please wait [ 30 ] and retry' }] } }
        : { status: 200, body: { 'message-count': '1', messages: [{ status: '0', 'message-id': `NX${n}`, to: '254711000003' }] } };
    case 'WAC':
      return failing
        ? { status: 400, body: { error: { message: '(#131056) (Business Account, Consumer Account) pair rate limit hit', code: 131056 } } }
        : { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: '250788000005', wa_id: '250788000005' }], messages: [{ id: `wamid.${n}` }] } };
  }
}

forEachDatabase('channel types end to end', (db) => {
  let app: FastifyInstance;
  let jobs: JobQueue;
  let fake: FakeProvider;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  let failing = false;
  const channel = {} as Record<TypeCode, string>;
  const contact = {} as Record<TypeCode, { uuid: string; name: string; urn: string }>;

  const post = (url: string, payload: string, contentType: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload, headers: { host: HOST, 'content-type': contentType, ...headers } });
  const form = (values: Record<string, string>) => new URLSearchParams(values).toString();
  const wacSigned = (body: object) => {
    const raw = JSON.stringify(body);
    return post('/c/wac/receive', raw, 'application/json', { 'x-hub-signature-256': `sha256=${createHmac('sha256', WAC_SECRET).update(raw).digest('hex')}` });
  };
  const twilioSigned = (path: string, values: Record<string, string>) =>
    post(path, form(values), 'application/x-www-form-urlencoded', { 'x-twilio-signature': twilioSignature(`https://${HOST}${path}`, new URLSearchParams(values), TW_TOKEN) });
  const wacNotification = (value: object) => ({
    object: 'whatsapp_business_account',
    entry: [{ id: '8856996819413533', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '250788000099', phone_number_id: WAC_PHONE_ID }, ...value } }] }],
  });

  /** A message from the type's contact through the channel's receive URL, as its provider sends it. */
  async function receive(type: TypeCode, text: string, externalId: string) {
    const c = contact[type];
    const number = c.urn.replace(/^tel:/, '');
    switch (type) {
      case 'EX':
        return post(`/c/ex/${channel.EX}/receive`, form({ from: number, text }), 'application/x-www-form-urlencoded');
      case 'TG':
        return post(`/c/tg/${channel.TG}/receive`, JSON.stringify({
          update_id: Number(externalId.replace(/\D/g, '')) || 1,
          message: { message_id: Number(externalId.replace(/\D/g, '')) || 1, from: { id: 3527065, first_name: 'Dee', username: 'deebot' }, chat: { id: 3527065, type: 'private' }, date: Math.floor(Date.now() / 1000), text },
        }), 'application/json');
      case 'T':
        return twilioSigned(`/c/t/${channel.T}/receive`, { MessageSid: externalId, AccountSid: TW_SID, From: number, To: '+14155550100', Body: text, NumMedia: '0' });
      case 'NX':
        return post(`/c/nx/${channel.NX}/receive`, form({ msisdn: number.replace('+', ''), to: '254700000000', messageId: externalId, text, type: 'text' }), 'application/x-www-form-urlencoded');
      case 'WAC':
        return wacSigned(wacNotification({
          contacts: [{ profile: { name: 'Eve' }, wa_id: '250788000005' }],
          messages: [{ from: '250788000005', id: externalId, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
        }));
    }
  }

  const sendRequests = (since: number) => fake.requests.slice(since).filter((r) => providerOf(r) && !r.path.endsWith('/getFile'));
  const msgsOf = async (broadcastId: number) => (await api.get(`/api/v2/messages.json?broadcast=${broadcastId}`)).json().results as any[];
  const byChannel = (msgs: any[]) => new Map(msgs.map((m) => [m.channel.uuid as string, m]));
  const typeOfChannel = (uuid: string) => TYPES.find((t) => channel[t] === uuid)!;

  before(async () => {
    fake = await startFakeProvider((r) => {
      const type = providerOf(r);
      return type ? providerReply(type, failing) : { status: 404, body: 'no such provider path' };
    });
    const http = new HttpClient({
      timeoutMs: 5000,
      overrides: { 'https://api.telegram.org': fake.url, 'https://api.twilio.com': fake.url, 'https://rest.nexmo.com': fake.url, 'https://graph.facebook.com': fake.url },
    });
    jobs = createJobQueue(db(), { pollingIntervalSeconds: 0.5, messaging: { http, callbackBaseUrl: `https://${HOST}` } });
    await jobs.work();
    app = await buildServer({ db: db().db, jobs });
    await app.ready();
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);

    // the channels, made as `rapidpro-ts channel create` makes them
    const make = (type: TypeCode, name: string, address: string, config: Record<string, unknown>, country?: string) =>
      createChannel(db().db, ws.workspace, { type, name, address, config, ...(country && { country }) });
    channel.EX = (await make('EX', 'External', '+250788000000', { send_url: `${fake.url}/ex/send`, method: 'POST' }, 'RW')).uuid;
    channel.TG = (await make('TG', 'Telegram Bot', 'rp_bot', { auth_token: TG_TOKEN })).uuid;
    channel.T = (await make('T', 'Twilio', '+14155550100', { account_sid: TW_SID, auth_token: TW_TOKEN }, 'US')).uuid;
    channel.NX = (await make('NX', 'Vonage', '+254700000000', { nexmo_api_key: 'nx-key', nexmo_api_secret: 'nx-secret' }, 'KE')).uuid;
    channel.WAC = (await make('WAC', 'WhatsApp', WAC_PHONE_ID, { auth_token: 'wac-token', app_secret: WAC_SECRET })).uuid;

    const people: [TypeCode, string, string][] = [
      ['EX', 'Ann', 'tel:+250788000001'], ['TG', 'Dee', 'telegram:3527065'], ['T', 'Ben', 'tel:+14155550102'],
      ['NX', 'Cy', 'tel:+254711000003'], ['WAC', 'Eve', 'whatsapp:250788000005'],
    ];
    for (const [type, name, urn] of people) {
      const res = await api.post('/api/v2/contacts.json', { name, urns: [urn] });
      assert.equal(res.statusCode, 201, res.body);
      contact[type] = { uuid: res.json().uuid, name, urn };
    }
  });
  after(async () => {
    await app?.close();
    await jobs?.stop();
    await fake?.close();
  });

  test('each type: broadcast out through the API, status callback, reply in the inbox, provider error → errored and retried', async () => {
    // 1. each contact writes in first: their URN now prefers that channel (three tel channels, so
    //    the tel contacts are routed by this affinity; telegram and whatsapp by scheme)
    for (const type of TYPES) {
      const res = await receive(type, `join ${type}`, `in-${type}-1`);
      assert.equal(res.statusCode, 200, `${type}: ${res.body}`);
    }
    let inbox = (await api.get('/api/v2/messages.json?folder=inbox')).json().results as any[];
    for (const type of TYPES) {
      const m = inbox.find((x) => x.text === `join ${type}`);
      assert.ok(m, `${type}: first message in the inbox`);
      assert.equal(m.contact.uuid, contact[type].uuid, `${type}: matched to the existing contact`);
      assert.equal(m.channel.uuid, channel[type]);
    }

    // 2. one broadcast to all five contacts
    let since = fake.requests.length;
    const res = await api.post('/api/v2/broadcasts.json', { contacts: TYPES.map((t) => contact[t].uuid), text: 'Hello @contact.name, reply YES' });
    assert.equal(res.statusCode, 201, res.body);
    const b = res.json();
    await waitUntil(() => sendRequests(since).length >= 5, 20_000, 'five provider requests');
    await waitUntil(async () => (await msgsOf(b.id)).every((m) => m.status === 'wired'), 10_000, 'all wired');
    const reqs = sendRequests(since);
    assert.deepEqual(reqs.map(providerOf).sort(), [...TYPES].sort(), 'exactly one request per provider');
    const req = Object.fromEntries(reqs.map((r) => [providerOf(r)!, r])) as Record<TypeCode, RecordedRequest>;
    const text = (t: TypeCode) => `Hello ${contact[t].name}, reply YES`;

    assert.equal(req.EX.method, 'POST');
    assert.equal(req.EX.form.get('to'), '+250788000001');
    assert.equal(req.EX.form.get('text'), text('EX'));
    assert.equal(req.EX.form.get('from'), '+250788000000');
    assert.equal(req.EX.form.get('channel'), channel.EX);

    assert.equal(req.TG.path, `/bot${TG_TOKEN}/sendMessage`);
    assert.equal(req.TG.form.get('chat_id'), '3527065');
    assert.equal(req.TG.form.get('text'), text('TG'));

    assert.equal(req.T.headers.authorization, `Basic ${Buffer.from(`${TW_SID}:${TW_TOKEN}`).toString('base64')}`);
    assert.equal(req.T.form.get('To'), '+14155550102');
    assert.equal(req.T.form.get('From'), '+14155550100');
    assert.equal(req.T.form.get('Body'), text('T'));
    const statusCallback = new URL(req.T.form.get('StatusCallback')!);
    assert.equal(`${statusCallback.origin}${statusCallback.pathname}`, `https://${HOST}/c/t/${channel.T}/status`);

    assert.equal(req.NX.form.get('to'), '254711000003');
    assert.equal(req.NX.form.get('from'), '254700000000');
    assert.equal(req.NX.form.get('text'), text('NX'));
    assert.equal(req.NX.form.get('api_key'), 'nx-key');
    assert.equal(req.NX.form.get('callback'), `https://${HOST}/c/nx/${channel.NX}/status`);

    assert.equal(req.WAC.headers.authorization, 'Bearer wac-token');
    assert.deepEqual(req.WAC.json, { messaging_product: 'whatsapp', recipient_type: 'individual', to: '250788000005', type: 'text', text: { body: text('WAC'), preview_url: false } });

    let msgs = byChannel(await msgsOf(b.id));
    assert.equal(msgs.size, 5, 'one message per channel');
    for (const type of TYPES) {
      const m = msgs.get(channel[type]);
      assert.equal(m.contact.uuid, contact[type].uuid, `${type}: right contact`);
      assert.equal(m.text, text(type));
      assert.equal(m.urn, contact[type].urn);
    }

    // 3. status callbacks, each the provider's way of saying "delivered"
    const uuidOf = async (type: TypeCode) => (await db().db.selectFrom('msgs').select(['uuid', 'external_id']).where('id', '=', msgs.get(channel[type]).id).executeTakeFirstOrThrow());
    const ex = await uuidOf('EX');
    const t = await uuidOf('T');
    const nx = await uuidOf('NX');
    const wac = await uuidOf('WAC');
    assert.match(t.external_id!, /^SM\d+$/);
    assert.match(nx.external_id!, /^NX\d+$/);
    assert.match(wac.external_id!, /^wamid\.\d+$/);
    const callbacks: [TypeCode, Promise<{ statusCode: number; body: string }>][] = [
      ['EX', post(`/c/ex/${channel.EX}/delivered`, form({ id: ex.uuid }), 'application/x-www-form-urlencoded')],
      ['T', twilioSigned(`${statusCallback.pathname}${statusCallback.search}`, { MessageSid: t.external_id!, MessageStatus: 'delivered', AccountSid: TW_SID, To: '+14155550102' })],
      ['NX', post(`/c/nx/${channel.NX}/status`, form({ messageId: nx.external_id!, status: 'delivered', 'err-code': '0', msisdn: '254711000003', to: '254700000000' }), 'application/x-www-form-urlencoded')],
      ['WAC', wacSigned(wacNotification({ statuses: [{ id: wac.external_id, status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '250788000005' }] }))],
    ];
    for (const [type, p] of callbacks) {
      const r = await p;
      assert.equal(r.statusCode, 200, `${type}: ${r.body}`);
    }
    // Telegram has no delivery receipts: courier routes only /receive for TG
    const tgStatus = await post(`/c/tg/${channel.TG}/status`, '{}', 'application/json');
    assert.equal(tgStatus.statusCode, 404);
    msgs = byChannel(await msgsOf(b.id));
    for (const type of TYPES) assert.equal(msgs.get(channel[type]).status, type === 'TG' ? 'wired' : 'delivered', `${type} status after its callback`);

    // 4. replies through each receive URL show up in the inbox
    for (const type of TYPES) {
      const r = await receive(type, `YES from ${type}`, `in-${type}-2`);
      assert.equal(r.statusCode, 200, `${type}: ${r.body}`);
    }
    inbox = (await api.get('/api/v2/messages.json?folder=inbox')).json().results;
    for (const type of TYPES) {
      const m = inbox.find((x: any) => x.text === `YES from ${type}`);
      assert.ok(m, `${type}: reply in the inbox`);
      assert.deepEqual([m.direction, m.status, m.contact.uuid, m.channel.uuid, m.urn], ['in', 'handled', contact[type].uuid, channel[type], contact[type].urn]);
    }
    // a provider retrying the same callback does not store the message twice
    const again = await receive('T', 'YES from T', 'in-T-2');
    assert.equal(again.statusCode, 200);
    inbox = (await api.get('/api/v2/messages.json?folder=inbox')).json().results;
    assert.equal(inbox.filter((x: any) => x.text === 'YES from T').length, 1, 'same MessageSid stored once');

    // 5. every provider fails (retryably): the messages are errored with a retry scheduled, which then succeeds
    failing = true;
    since = fake.requests.length;
    const b2 = (await api.post('/api/v2/broadcasts.json', { contacts: TYPES.map((x) => contact[x].uuid), text: 'Second @contact.name' })).json();
    await waitUntil(async () => (await msgsOf(b2.id)).filter((m) => m.status === 'errored').length === 5, 20_000, 'five errored');
    failing = false;
    const errored = await db().db.selectFrom('msgs').select(['id', 'error_count', 'next_attempt', 'failed_reason'])
      .where('broadcast_id', '=', b2.id).where('status', '=', 'E').execute();
    assert.equal(errored.length, 5);
    for (const m of errored) {
      assert.equal(m.error_count, 1);
      assert.equal(m.failed_reason, null);
      assert.ok(m.next_attempt && new Date(m.next_attempt as any).getTime() > Date.now() - 1000, 'next attempt in the future');
    }
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM pgboss.job
      WHERE name = 'msgs.send' AND state = 'created' AND start_after > now()
        AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(data->'msgIds') AS e(v) WHERE e.v::bigint = ANY(${errored.map((m) => m.id)}::bigint[]))`.execute(db().db);
    assert.ok(Number(rows[0].n) >= 1, 'a delayed retry job is queued for them');
    assert.deepEqual(sendRequests(since).map(providerOf).sort(), [...TYPES].sort(), 'each provider was tried once');
    await waitUntil(async () => (await msgsOf(b2.id)).every((m) => m.status === 'wired'), 20_000, 'retried and wired');
    const retried = sendRequests(since);
    assert.equal(retried.length, 10, 'one failed and one successful request per provider');
    for (const m of await msgsOf(b2.id)) assert.equal(m.text, `Second ${contact[typeOfChannel(m.channel.uuid)].name}`);

    // 6. another workspace sees none of it, and cannot make these channels' callbacks its own
    const o = api.as(other.admin.token);
    assert.deepEqual((await o.get('/api/v2/messages.json')).json().results, []);
    assert.deepEqual((await o.get('/api/v2/messages.json?folder=inbox')).json().results, []);
    assert.deepEqual((await o.get('/api/v2/broadcasts.json')).json().results, []);
    assert.deepEqual((await o.get('/api/v2/channels.json')).json().results, []);
    assert.deepEqual((await o.get(`/api/v2/contacts.json?uuid=${contact.EX.uuid}`)).json().results, []);
    assert.deepEqual((await o.get(`/api/v2/messages.json?broadcast=${b.id}`)).json().results, []);
  });

  test('forged or unsigned callbacks change nothing', async () => {
    const before = (await api.get('/api/v2/messages.json?folder=inbox')).json().results.length;
    const values = { MessageSid: 'SMforged', AccountSid: TW_SID, From: '+14155550102', To: '+14155550100', Body: 'forged', NumMedia: '0' };
    let r = await post(`/c/t/${channel.T}/receive`, form(values), 'application/x-www-form-urlencoded', { 'x-twilio-signature': twilioSignature(`https://${HOST}/c/t/${channel.T}/receive`, new URLSearchParams(values), 'wrong-token') });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /invalid request signature/);
    const raw = JSON.stringify(wacNotification({ messages: [{ from: '250788000005', id: 'wamid.forged', timestamp: '1700000000', type: 'text', text: { body: 'forged' } }] }));
    r = await post('/c/wac/receive', raw, 'application/json', { 'x-hub-signature-256': `sha256=${createHmac('sha256', 'not-the-secret').update(raw).digest('hex')}` });
    assert.equal(r.statusCode, 200, 'Meta retries non-200 answers: errors are 200 with an error body, as courier');
    assert.match(r.body, /invalid request signature/);
    r = await post('/c/wac/receive', raw, 'application/json');
    assert.match(r.body, /missing request signature/);
    const after = (await api.get('/api/v2/messages.json?folder=inbox')).json().results;
    assert.equal(after.length, before);
    assert.ok(!after.some((m: any) => m.text === 'forged'));
  });
});
