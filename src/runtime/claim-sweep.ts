// Send jobs that will never run again. A killed worker's send job is retried by pg-boss under the same
// id and takes back its own claims (sender.ts), but a job out of retries (or whose retry failed for
// good) is `failed` and nothing would touch its messages again: the claims it left and the
// messages it never claimed stayed queued for ever. This sweep, run periodically by every worker
// process (JobQueue.every), hands them to a new send job.
//
// Conservative on purpose: only jobs pg-boss has given up on (failed or cancelled, or no longer in its
// table) count, and only claims older than twice the claim timeout (a live attempt renews its claims
// every fifth of it), so a slow or still-running attempt keeps its messages. Safe under several
// processes: one sweep at a time (a transaction-scoped advisory lock; the others skip their turn);
// in the transaction that queues the new job, a stale claim is moved to it (dated back past the
// timeout, so that the new job takes it over at once) and a failed job whose unclaimed messages were
// handed over is marked swept in its pg-boss output, so nothing is queued twice. No claim is added:
// at most the claim window per job is ever claimed (docs/messaging.md, "Crashes").
//
// A job pg-boss gave up on counts as an error attempt for each message handed over (error_count),
// as a send that errored would: a message whose jobs keep dying is failed (E) at the third, rather
// than handed to a new job at every sweep for ever.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { SEND_JOB, type SendJob } from './sender.ts';
import { MAX_SEND_ERRORS } from '../models/msgs.ts';

/** Arbitrary key of the sweep's advisory lock. */
const SWEEP_LOCK = 7_221_004;
/** Messages handed over per sweep at most: the rest wait for the next one. */
const SWEEP_LIMIT = 5000;

interface Stranded { msg_id: number; org_id: number; channel_id: number | null; status: string; next_attempt: Date | null; error_count: number }

/**
 * Re-queues the messages of send jobs pg-boss will not run again: claims older than twice
 * `claimTimeoutSeconds` whose job is failed, cancelled or gone, and the still-queued unclaimed
 * messages of failed send jobs. Returns how many messages were handed to new jobs.
 */
export async function sweepStrandedSends(db: Kysely<DB>, jobs: JobQueue, claimTimeoutSeconds: number): Promise<number> {
  let queued = 0;
  await db.transaction().execute(async (tx) => {
    const lock = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS ok`.execute(tx);
    if (!lock.rows[0]?.ok) return; // another process is sweeping
    const orphaned = await sql<Stranded>`
      SELECT c.msg_id, m.org_id, m.channel_id, m.status, m.next_attempt, m.error_count
      FROM msg_claims c JOIN msgs m ON m.id = c.msg_id
      WHERE c.claimed_on < clock_timestamp() - ${2 * claimTimeoutSeconds} * interval '1 second'
        AND NOT EXISTS (
          SELECT 1 FROM pgboss.job j WHERE j.name = ${SEND_JOB} AND j.state IN ('created', 'retry', 'active', 'completed')
            AND j.id = CASE WHEN c.job_id ~ '^[0-9a-fA-F-]{36}$' THEN c.job_id::uuid END)
      ORDER BY c.msg_id LIMIT ${SWEEP_LIMIT}
      FOR UPDATE OF c SKIP LOCKED`.execute(tx);
    const failed = await sql<{ id: string }>`
      SELECT id FROM pgboss.job WHERE name = ${SEND_JOB} AND state = 'failed' AND NOT COALESCE(output ? 'sweptOn', false)
      ORDER BY completed_on LIMIT ${Math.floor(SWEEP_LIMIT / 500)} FOR UPDATE SKIP LOCKED`.execute(tx);
    const failedIds = failed.rows.map((r) => r.id);
    const unclaimed = failedIds.length ? await sql<Stranded>`
      SELECT DISTINCT m.id AS msg_id, m.org_id, m.channel_id, m.status, m.next_attempt, m.error_count
      FROM pgboss.job j CROSS JOIN LATERAL jsonb_array_elements_text(j.data->'msgIds') AS x(id)
        JOIN msgs m ON m.id = x.id::bigint AND m.org_id = (j.data->>'orgId')::bigint
      WHERE j.name = ${SEND_JOB} AND j.id = ANY(${failedIds}::uuid[]) AND m.direction = 'O' AND m.status IN ('Q', 'E', 'I')
        AND NOT EXISTS (SELECT 1 FROM msg_claims c WHERE c.msg_id = m.id)`.execute(tx) : { rows: [] as Stranded[] };
    if (failedIds.length) {
      // pg-boss keeps the job's error in output (an object, or whatever was thrown): kept beside the mark
      await sql`
        UPDATE pgboss.job SET output = CASE WHEN jsonb_typeof(output) = 'object' THEN output ELSE jsonb_build_object('error', output) END
                                       || jsonb_build_object('sweptOn', clock_timestamp())
        WHERE name = ${SEND_JOB} AND id = ANY(${failedIds}::uuid[])`.execute(tx);
    }

    // a claim on a message that is no longer to send (or has no channel) is only dropped
    const isSendable = (s: Stranded) => ['Q', 'E', 'I'].includes(s.status) && s.channel_id !== null;
    const dead = orphaned.rows.filter((s) => !isSendable(s)).map((s) => s.msg_id);
    // the job that died was an attempt: the messages that have had their last one fail
    const exhausted = [...orphaned.rows, ...unclaimed.rows].filter((s) => isSendable(s) && s.error_count + 1 >= MAX_SEND_ERRORS).map((s) => s.msg_id);
    const dropped = [...dead, ...exhausted];
    if (dropped.length) await sql`DELETE FROM msg_claims WHERE msg_id = ANY(${dropped}::bigint[])`.execute(tx);
    const handed = [...orphaned.rows, ...unclaimed.rows].filter(isSendable).map((s) => s.msg_id);
    if (handed.length) {
      await sql`UPDATE msgs SET error_count = error_count + 1, modified_on = clock_timestamp(),
                  status = CASE WHEN error_count + 1 >= ${MAX_SEND_ERRORS} THEN 'F' ELSE status END,
                  failed_reason = CASE WHEN error_count + 1 >= ${MAX_SEND_ERRORS} THEN 'E' ELSE failed_reason END
                WHERE id = ANY(${handed}::bigint[])`.execute(tx);
    }
    const failedNow = new Set(exhausted.map(Number));

    const groups = new Map<string, { orgId: number; channelId: number; claimed: number[]; free: number[]; startAfter: number }>();
    const add = (s: Stranded, claimed: boolean) => {
      const key = `${s.org_id}:${s.channel_id}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { orgId: s.org_id, channelId: s.channel_id!, claimed: [], free: [], startAfter: 0 }));
      (claimed ? g.claimed : g.free).push(Number(s.msg_id));
      // an errored message waits out its backoff (the send job would skip it before next_attempt)
      if (s.status === 'E' && s.next_attempt) g.startAfter = Math.max(g.startAfter, new Date(s.next_attempt).getTime());
    };
    for (const s of orphaned.rows) if (isSendable(s) && !failedNow.has(Number(s.msg_id))) add(s, true);
    for (const s of unclaimed.rows) if (isSendable(s) && !failedNow.has(Number(s.msg_id))) add(s, false);

    for (const g of groups.values()) {
      const ids = [...g.claimed, ...g.free];
      for (let i = 0; i < ids.length; i += 500) {
        const msgIds = ids.slice(i, i + 500);
        const moved = msgIds.slice(0, Math.max(0, g.claimed.length - i));
        const jobId = await jobs.enqueue<SendJob>(SEND_JOB, { orgId: g.orgId, channelId: g.channelId, msgIds }, {
          tx: tx as unknown as Kysely<DB>, ...(g.startAfter > Date.now() && { startAfter: new Date(g.startAfter) }),
        });
        if (!jobId) throw new Error('send job not queued');
        // dated back past the claim timeout, so that the new job takes them over at once
        if (moved.length) {
          await sql`UPDATE msg_claims SET job_id = ${jobId}, claimed_on = clock_timestamp() - (${claimTimeoutSeconds} + 1) * interval '1 second'
                    WHERE msg_id = ANY(${moved}::bigint[])`.execute(tx);
        }
        queued += msgIds.length;
      }
    }
  });
  if (queued) jobs.wake(SEND_JOB);
  return queued;
}
