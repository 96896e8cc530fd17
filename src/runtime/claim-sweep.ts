// Send jobs that will never run again. A killed worker's send job is retried by pg-boss under the same
// id and takes back its own claims (sender.ts), but a job out of retries (or whose retry failed for
// good) is `failed` and nothing would touch its messages again: the claims it left and the
// messages it never claimed stayed queued for ever. This sweep, run periodically by every worker
// process (JobQueue.every), hands them to a new send job.
//
// Safe under several processes: one sweep at a time (a transaction-scoped advisory lock; the others
// skip their turn), and a sweep moves the claims to the new job — or claims the unclaimed messages
// for it, unless a live job claimed them meanwhile — in the transaction that queues it, so the next
// sweep sees them held by a live job and a message is never queued twice. The new job's claims are dated back past the claim timeout, which
// is what lets it take them over (sender.ts's takeover of an expired attempt of the same job).
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { SEND_JOB, type SendJob } from './sender.ts';

/** Arbitrary key of the sweep's advisory lock. */
const SWEEP_LOCK = 7_221_004;
/** Messages handed over per sweep at most: the rest wait for the next one. */
const SWEEP_LIMIT = 5000;

interface Stranded { msg_id: number; org_id: number; channel_id: number | null; status: string; next_attempt: Date | null }

/**
 * Re-queues the messages of send jobs no longer created, retrying or active in pg-boss: claims older
 * than `claimTimeoutSeconds` whose job is gone or over, and still-queued unclaimed messages of
 * failed send jobs. Returns how many messages were handed to new jobs.
 */
export async function sweepStrandedSends(db: Kysely<DB>, jobs: JobQueue, claimTimeoutSeconds: number): Promise<number> {
  let queued = 0;
  await db.transaction().execute(async (tx) => {
    const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS ok`.execute(tx);
    if (!lock.rows[0]?.ok) return; // another process is sweeping
    const live = (jobId: ReturnType<typeof sql>) => sql`EXISTS (
      SELECT 1 FROM pgboss.job j WHERE j.name = ${SEND_JOB} AND j.state IN ('created', 'retry', 'active')
        AND j.id = CASE WHEN ${jobId} ~ '^[0-9a-fA-F-]{36}$' THEN (${jobId})::uuid END)`;
    const orphaned = await sql<Stranded>`
      SELECT c.msg_id, m.org_id, m.channel_id, m.status, m.next_attempt
      FROM msg_claims c JOIN msgs m ON m.id = c.msg_id
      WHERE c.claimed_on < clock_timestamp() - ${claimTimeoutSeconds} * interval '1 second' AND NOT ${live(sql`c.job_id`)}
      ORDER BY c.msg_id LIMIT ${SWEEP_LIMIT}
      FOR UPDATE OF c SKIP LOCKED`.execute(tx);
    const unclaimed = await sql<Stranded>`
      SELECT DISTINCT m.id AS msg_id, m.org_id, m.channel_id, m.status, m.next_attempt
      FROM pgboss.job j CROSS JOIN LATERAL jsonb_array_elements_text(j.data->'msgIds') AS x(id)
        JOIN msgs m ON m.id = x.id::bigint AND m.org_id = (j.data->>'orgId')::bigint
      WHERE j.name = ${SEND_JOB} AND j.state = 'failed' AND m.direction = 'O' AND m.status IN ('Q', 'E', 'I')
        AND NOT EXISTS (SELECT 1 FROM msg_claims c WHERE c.msg_id = m.id)
      LIMIT ${SWEEP_LIMIT}`.execute(tx);

    // a claim on a message that is no longer to send (or has no channel) is only dropped
    const isSendable = (s: Stranded) => ['Q', 'E', 'I'].includes(s.status) && s.channel_id !== null;
    const dead = orphaned.rows.filter((s) => !isSendable(s)).map((s) => s.msg_id);
    if (dead.length) await sql`DELETE FROM msg_claims WHERE msg_id = ANY(${dead}::bigint[])`.execute(tx);

    const groups = new Map<string, { orgId: number; channelId: number; claimed: number[]; free: number[]; startAfter: number }>();
    const add = (s: Stranded, claimed: boolean) => {
      const key = `${s.org_id}:${s.channel_id}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { orgId: s.org_id, channelId: s.channel_id!, claimed: [], free: [], startAfter: 0 }));
      (claimed ? g.claimed : g.free).push(Number(s.msg_id));
      // an errored message waits out its backoff (the send job would skip it before next_attempt)
      if (s.status === 'E' && s.next_attempt) g.startAfter = Math.max(g.startAfter, new Date(s.next_attempt).getTime());
    };
    for (const s of orphaned.rows) if (isSendable(s)) add(s, true);
    for (const s of unclaimed.rows) if (isSendable(s)) add(s, false);

    const old = sql`clock_timestamp() - (${claimTimeoutSeconds} + 1) * interval '1 second'`;
    for (const g of groups.values()) {
      for (let i = 0; i < g.claimed.length + g.free.length; i += 500) {
        const claimed = g.claimed.slice(i, i + 500);
        const free = g.free.slice(Math.max(0, i - g.claimed.length), Math.max(0, i + 500 - g.claimed.length));
        // held under a provisional id first: a free message a live job claimed meanwhile is left to it
        const provisional = `sweep:${randomUUID()}`;
        const held = await sql<{ msg_id: number }>`
          WITH moved AS (UPDATE msg_claims SET job_id = ${provisional} WHERE msg_id = ANY(${claimed}::bigint[]) RETURNING msg_id),
          taken AS (
            INSERT INTO msg_claims (msg_id, job_id, claimed_on) SELECT id, ${provisional}, ${old} FROM unnest(${free}::bigint[]) AS id
            ON CONFLICT (msg_id) DO NOTHING RETURNING msg_id)
          SELECT msg_id FROM moved UNION ALL SELECT msg_id FROM taken`.execute(tx);
        const msgIds = held.rows.map((r) => Number(r.msg_id)).sort((a, b) => a - b);
        if (!msgIds.length) continue;
        const jobId = await jobs.enqueue<SendJob>(SEND_JOB, { orgId: g.orgId, channelId: g.channelId, msgIds }, {
          tx: tx as unknown as Kysely<DB>, ...(g.startAfter > Date.now() && { startAfter: new Date(g.startAfter) }),
        });
        if (!jobId) throw new Error('send job not queued');
        // dated back past the claim timeout, so that the new job takes them over at once
        await sql`UPDATE msg_claims SET job_id = ${jobId}, claimed_on = ${old} WHERE job_id = ${provisional}`.execute(tx);
        queued += msgIds.length;
      }
    }
  });
  if (queued) jobs.wake(SEND_JOB);
  return queued;
}
