import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { forEachDatabase } from '../testing/databases.ts';
import { makeContact, makeMsgs, waitUntil, openMessagingWorld, closeMessagingWorld, type MessagingWorld } from '../testing/msgs.ts';
import { createChannel } from '../models/channels.ts';
import { SEND_JOB, type SendJob } from './sender.ts';
import { sweepStrandedSends } from './claim-sweep.ts';

// every worker sweeps each second here (60 s by default)
process.env.RAPIDPRO_SEND_SWEEP_SECONDS = '1';
const CLAIM_TIMEOUT = 300; // the send jobs' expiry (RAPIDPRO_JOB_EXPIRE_SECONDS default)

forEachDatabase('send jobs out of retries: their messages go to new jobs', (db) => {
  let w: MessagingWorld | undefined;
  let channelId: number;
  let otherChannelId: number;
  before(async () => {
    w = await openMessagingWorld(db());
    channelId = (await db().db.selectFrom('channels').select('id').where('uuid', '=', w.channelUuid).executeTakeFirstOrThrow()).id;
    const other = await createChannel(db().db, w.other.workspace, { type: 'EX', name: 'Other', address: '+250788999999', config: { send_url: `${w.fake.url}/other`, method: 'POST' } });
    otherChannelId = (await db().db.selectFrom('channels').select('id').where('uuid', '=', other.uuid).executeTakeFirstOrThrow()).id;
  });
  after(() => closeMessagingWorld(w));

  let n = 0;
  /** A queued message to a new contact on the channel; its number. */
  async function queued(orgId: number, chId: number): Promise<{ id: number; uuid: string; to: string }> {
    const to = `+2507883${String(++n).padStart(5, '0')}`;
    const c = await makeContact(db().db, orgId, { urn: `tel:${to}` });
    const [m] = await makeMsgs(db().db, orgId, 1, { contactId: c.id, urnId: c.urnId, direction: 'O', status: 'Q', channelId: chId, text: `to ${to}` });
    return { ...m, to };
  }
  /** A send job as pg-boss leaves it, in the caller's transaction (so no sweep sees it half made). */
  async function sendJob(tx: Kysely<DB>, job: SendJob, state: 'failed' | 'created'): Promise<string> {
    // far in the future: no worker runs it
    const id = (await w!.m.jobs.enqueue<SendJob>(SEND_JOB, job, { tx, startAfter: new Date(Date.now() + 3_600_000) }))!;
    if (state === 'failed') await sql`UPDATE pgboss.job SET state = 'failed', completed_on = now() WHERE id = ${id}::uuid`.execute(tx);
    return id;
  }
  const claim = (tx: Kysely<DB>, msgId: number, jobId: string, ageSeconds: number) =>
    sql`INSERT INTO msg_claims (msg_id, job_id, claimed_on) VALUES (${msgId}, ${jobId}, clock_timestamp() - ${ageSeconds} * interval '1 second')`.execute(tx);
  const status = async (id: number) => (await db().db.selectFrom('msgs').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
  const claimOf = async (id: number) => (await sql<{ job_id: string }>`SELECT job_id FROM msg_claims WHERE msg_id = ${id}`.execute(db().db)).rows[0]?.job_id;
  const requestsTo = (to: string) => w!.fake.requests.filter((r) => r.form.get('to') === to);

  test('a job that dies counts as an error attempt: a message at its last attempt is failed, not handed over again', async () => {
    const orgId = w!.ws.workspace.id;
    const last = await queued(orgId, channelId);
    const first = await queued(orgId, channelId);
    await db().db.updateTable('msgs').set({ error_count: 2 }).where('id', '=', last.id).execute();
    await db().db.transaction().execute(async (tx) => {
      const failedJob = await sendJob(tx, { orgId, channelId, msgIds: [last.id, first.id] }, 'failed');
      await claim(tx, last.id, failedJob, 3600);
    });
    await waitUntil(async () => (await status(first.id)) === 'W', 60_000, 'the other one sent by a new job');
    const row = await db().db.selectFrom('msgs').select(['status', 'failed_reason', 'error_count']).where('id', '=', last.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'F', failed_reason: 'E', error_count: 3 });
    assert.equal(await claimOf(last.id), undefined);
    assert.equal(requestsTo(last.to).length, 0);
    assert.equal((await db().db.selectFrom('msgs').select('error_count').where('id', '=', first.id).executeTakeFirstOrThrow()).error_count, 1);
  });

  test('a failed job\'s stale claims and unclaimed messages are sent once by a new job; live jobs and fresh claims are left alone', async () => {
    const orgId = w!.ws.workspace.id;
    const stale = await queued(orgId, channelId); // claimed by the failed job when its worker died
    const never = await queued(orgId, channelId); // in the failed job, never claimed
    const fresh = await queued(orgId, channelId); // claimed by the failed job, not yet past the timeout
    const waiting = await queued(orgId, channelId); // claimed long ago by a job pg-boss will still run
    const elsewhere = await queued(w!.other.workspace.id, otherChannelId); // another workspace's failed job
    let failedJob = '';
    let liveJob = '';
    await db().db.transaction().execute(async (tx) => {
      failedJob = await sendJob(tx, { orgId, channelId, msgIds: [stale.id, never.id, fresh.id] }, 'failed');
      liveJob = await sendJob(tx, { orgId, channelId, msgIds: [waiting.id] }, 'created');
      await sendJob(tx, { orgId: w!.other.workspace.id, channelId: otherChannelId, msgIds: [elsewhere.id] }, 'failed');
      await claim(tx, stale.id, failedJob, 3600);
      await claim(tx, fresh.id, failedJob, 5);
      await claim(tx, waiting.id, liveJob, 3600);
    });

    await waitUntil(async () => (await status(stale.id)) === 'W' && (await status(never.id)) === 'W' && (await status(elsewhere.id)) === 'W', 60_000, 'sent by the sweep');
    await new Promise((r) => setTimeout(r, 1500)); // a few more sweeps
    for (const m of [stale, never]) assert.deepEqual(requestsTo(m.to).map((r) => r.path), ['/send'], `${m.to} sent once`);
    assert.deepEqual(requestsTo(elsewhere.to).map((r) => r.form.get('channel')), [(await db().db.selectFrom('channels').select('uuid').where('id', '=', otherChannelId).executeTakeFirstOrThrow()).uuid],
      'another workspace\'s message goes out on its own channel');
    assert.equal(await claimOf(stale.id), undefined, 'no claim left');
    assert.equal(await claimOf(never.id), undefined);

    assert.equal(await status(fresh.id), 'Q', 'a claim younger than the timeout may belong to a live attempt');
    assert.equal(await claimOf(fresh.id), failedJob);
    assert.equal(await status(waiting.id), 'Q', 'a job pg-boss will still run keeps its messages');
    assert.equal(await claimOf(waiting.id), liveJob);
    assert.equal(requestsTo(fresh.to).length + requestsTo(waiting.to).length, 0);

    // once its claim is old, the fresh one goes too
    await sql`UPDATE msg_claims SET claimed_on = claimed_on - interval '1 hour' WHERE msg_id = ${fresh.id}`.execute(db().db);
    await waitUntil(async () => (await status(fresh.id)) === 'W', 60_000, 'the aged claim');
    assert.equal(requestsTo(fresh.to).length, 1);
    assert.equal(await status(waiting.id), 'Q');
  });

  test('sweeps running at once queue each stranded message in one job', async () => {
    const orgId = w!.ws.workspace.id;
    const msgs = [await queued(orgId, channelId), await queued(orgId, channelId), await queued(orgId, channelId)];
    await db().db.transaction().execute(async (tx) => {
      const failed = await sendJob(tx, { orgId, channelId, msgIds: msgs.map((m) => m.id) }, 'failed');
      await claim(tx, msgs[0].id, failed, 3600);
    });
    // alongside the workers' own sweeps
    const counts = await Promise.all([1, 2, 3].map(() => sweepStrandedSends(db().db, w!.m.jobs, CLAIM_TIMEOUT)));
    assert.ok(counts.reduce((a, b) => a + b, 0) <= msgs.length, `queued at most once: ${counts}`);
    await waitUntil(async () => (await Promise.all(msgs.map((m) => status(m.id)))).every((s) => s === 'W'), 60_000, 'sent');
    await new Promise((r) => setTimeout(r, 1500));
    for (const m of msgs) assert.equal(requestsTo(m.to).length, 1, `${m.to} sent once`);
    const jobsWith = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pgboss.job WHERE name = ${SEND_JOB} AND data->'msgIds' @> ${JSON.stringify([msgs[1].id])}::jsonb`.execute(db().db);
    assert.equal(jobsWith.rows[0].n, 2, 'the failed job and one new job');
    assert.equal(await sweepStrandedSends(db().db, w!.m.jobs, CLAIM_TIMEOUT), 0, 'nothing left to do');
  });
});
