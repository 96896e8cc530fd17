import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDatabase } from '../testing/databases.ts';
import { makeWorkspace } from '../testing/api.ts';
import { startFakeProvider, type FakeProvider } from '../channels/testing.ts';
import { createChannel } from '../models/channels.ts';
import { insertOutgoing } from '../models/msgs.ts';
import { HttpClient } from '../channels/http.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { sendMessages } from './sender.ts';
import { FANOUT_SEND_CALLS, sendPriority } from './send-priority.ts';

test('fan-out counts while a job runs and a moment after, then tells its listeners once', async () => {
  let idle = 0;
  const stop = sendPriority.onChange(() => idle++);
  let release!: () => void;
  const job = sendPriority.during(() => new Promise<void>((r) => (release = r)));
  assert.equal(sendPriority.fanout, true);
  release();
  await job;
  assert.equal(sendPriority.fanout, true, 'still counted right after the job: the next batch job is being fetched');
  assert.equal(idle, 0);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(sendPriority.fanout, false);
  assert.equal(idle, 1);
  stop();
});

forEachDatabase('sending gives way to fan-out', (db) => {
  let fake: FakeProvider;
  let inFlight = 0;
  let peak = 0;
  const http = new HttpClient();
  before(async () => {
    fake = await startFakeProvider(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return { status: 200, body: 'ok' };
    });
  });
  after(async () => {
    http.close();
    await fake?.close();
  });

  /** 300 queued messages of a new workspace's channel, sent by one job with concurrency 10 (priority or bulk). */
  async function sendBatch(priority: boolean, during: boolean) {
    const { workspace: ws } = await makeWorkspace(db().db);
    const channel = await createChannel(db().db, ws, { type: 'EX', name: 'Fake', address: '+250788000000', config: { send_url: `${fake.url}/send`, tps: 100_000 } });
    const { id: channelId } = await db().db.selectFrom('channels').select('id').where('uuid', '=', channel.uuid).executeTakeFirstOrThrow();
    const contacts = (await sql<{ id: number }>`
      INSERT INTO contacts (uuid, org_id, name) SELECT gen_random_uuid(), ${ws.id}, 'C' || i FROM generate_series(1, 300) i RETURNING id`.execute(db().db)).rows;
    const urns = (await sql<{ id: number; contact_id: number }>`
      INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, priority)
      SELECT ${ws.id}, id, 'tel', '+2507' || lpad(id::text, 8, '0'), 'tel:+2507' || lpad(id::text, 8, '0'), 1000
      FROM contacts WHERE org_id = ${ws.id} RETURNING id, contact_id`.execute(db().db)).rows;
    const urnOf = new Map(urns.map((u) => [Number(u.contact_id), Number(u.id)]));
    const msgs = await insertOutgoing(db().db, ws.id, contacts.map((c) => ({
      contactId: Number(c.id), urnId: urnOf.get(Number(c.id))!, channelId, text: 'hi', attachments: [], quickReplies: [], status: 'Q' as const,
    })));
    peak = 0;
    // jobs are only used to queue retries, and every call here succeeds
    const deps = { db: db().db, jobs: {} as JobQueue, http, callbackBaseUrl: 'http://127.0.0.1:1', concurrency: 10 };
    const job = { orgId: ws.id, channelId, msgIds: msgs.map((m) => m.id), ...(priority && { priority: true }) };
    let release!: () => void;
    const batch = during ? sendPriority.during(() => new Promise<void>((r) => (release = r))) : null;
    let peakDuring = 0;
    const sending = sendMessages(deps, job, `job-${ws.id}`);
    if (batch) {
      // fan-out runs for part of the job (40 calls), then ends: the job must speed up without being restarted
      const seen = fake.requests.length;
      const t0 = Date.now();
      while (fake.requests.length - seen < 40 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 5));
      peakDuring = peak;
      release();
      await batch;
    }
    await sending;
    const sent = await db().db.selectFrom('msgs').select(({ fn }) => fn.countAll<number>().as('n')).where('org_id', '=', ws.id).where('status', '=', 'W').executeTakeFirstOrThrow();
    assert.equal(Number(sent.n), 300, 'every message sent');
    return { peakDuring, peak };
  }

  test('a bulk send job keeps only a few calls in flight while a batch job runs, and all of them after', async () => {
    const r = await sendBatch(false, true);
    assert.ok(r.peakDuring > 0, 'delivery goes on during fan-out (40 calls made)');
    assert.ok(r.peakDuring <= FANOUT_SEND_CALLS, `at most ${FANOUT_SEND_CALLS} in flight during fan-out, saw ${r.peakDuring}`);
    assert.ok(r.peak > FANOUT_SEND_CALLS, `full concurrency once fan-out ended, saw ${r.peak}`);
  });

  test('a priority (flow) send job keeps its full concurrency during fan-out', async () => {
    const r = await sendBatch(true, true);
    assert.ok(r.peakDuring > FANOUT_SEND_CALLS, `priority job not slowed, saw ${r.peakDuring}`);
  });
});
