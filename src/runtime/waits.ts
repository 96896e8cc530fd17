// Wait timeouts and run expirations (engine.md §5.8). The durable schedule is the session row
// itself: a sprint that leaves a session waiting writes when its wait times out (`timeout_on`) and
// expires (`wait_expires_on`) in the statement that stores the session, so scheduling costs
// nothing. Each worker process sweeps for due waits every second (as mailroom's cron tasks scan
// sessions) and hands each to a job that resumes it. A wait is identified by when it began
// (`wait_started_on`, its version): a job for a wait that has since been answered, interrupted or
// replaced does nothing, and writing the resumed session checks the version again
// (SessionConflictError), so a reply and a timeout racing each other cannot both resume it.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { getWorkspace, type Workspace } from '../models/workspaces.ts';
import { SessionConflictError } from './sessions.ts';

export const WAIT_JOB = 'flow_wait';

export type WaitKind = 'timeout' | 'expiration';

export interface WaitJob {
  orgId: number;
  contactId: number;
  sessionId: number;
  kind: WaitKind;
  /** The wait's version: the session's wait_started_on as text, to the microsecond. */
  version: string;
}

/** Sessions handed over per sweep statement; a sweep repeats while it finds this many. */
const SWEEP_BATCH = 500;

/**
 * How long a handed-over wait is left alone. The sweep moves the due time this far ahead in the
 * statement that finds it, so other sweepers skip it while its job runs; if the job is lost (a
 * queue wiped, retries exhausted) the wait comes due again and is handed over anew.
 */
const LEASE = '10 minutes';

/**
 * Hands every due wait to a WAIT_JOB: finds due sessions (an expiry that is due wins over a
 * timeout), moves their due time a lease ahead and enqueues their jobs, in one transaction per
 * batch. Rows another sweeper holds are skipped. Returns how many were handed over.
 */
export async function sweepDueWaits(db: Kysely<DB>, jobs: JobQueue, batch = SWEEP_BATCH): Promise<number> {
  // idle most of the time: one indexed read, and a transaction only when something is due
  const due = await sql`SELECT 1 FROM flow_sessions WHERE status = 'W' AND (wait_expires_on <= now() OR timeout_on <= now()) LIMIT 1`.execute(db);
  if (!due.rows.length) return 0;
  let total = 0;
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      const due = await sql<{ id: string; org_id: string; contact_id: string; version: string; kind: WaitKind }>`
        WITH due AS (
          SELECT id, CASE WHEN wait_expires_on <= now() THEN 'expiration' ELSE 'timeout' END AS kind
            FROM flow_sessions
           WHERE status = 'W' AND (wait_expires_on <= now() OR timeout_on <= now())
           LIMIT ${batch}
             FOR UPDATE SKIP LOCKED
        )
        UPDATE flow_sessions s
           SET timeout_on = CASE WHEN due.kind = 'timeout' THEN now() + ${LEASE}::interval ELSE s.timeout_on END,
               wait_expires_on = CASE WHEN due.kind = 'expiration' THEN now() + ${LEASE}::interval ELSE s.wait_expires_on END
          FROM due WHERE s.id = due.id
        RETURNING s.id, s.org_id, s.contact_id, s.wait_started_on::text AS version, due.kind`.execute(tx);
      if (!due.rows.length) return 0;
      await jobs.enqueueMany<WaitJob>(WAIT_JOB, due.rows.map((r) => ({
        orgId: Number(r.org_id), contactId: Number(r.contact_id), sessionId: Number(r.id), kind: r.kind, version: r.version,
      })), { tx });
      return due.rows.length;
    });
    total += n;
    if (n < batch) return total;
  }
}

/**
 * Handles a due wait: resumes the session with wait_timeout / wait_expiration while it still
 * waits in the wait the job was made for. A wait that cannot be resumed (its workspace or contact
 * is gone) is no longer swept. Returns whether it resumed anything.
 */
export async function fireWaitJob(
  deps: { db: Kysely<DB> },
  resumeWait: (ws: Workspace, contactId: number, kind: WaitKind, expected: { sessionId: number; version: string }) => Promise<boolean>,
  job: WaitJob,
): Promise<boolean> {
  const s = await sql<{ current: boolean }>`
    SELECT (status = 'W' AND contact_id = ${job.contactId} AND wait_started_on = ${job.version}::timestamptz) AS current
      FROM flow_sessions WHERE org_id = ${job.orgId} AND id = ${job.sessionId}`.execute(deps.db);
  if (!s.rows[0]?.current) return false;
  const ws = await getWorkspace(deps.db, job.orgId);
  let resumed = false;
  try {
    resumed = ws ? await resumeWait(ws, job.contactId, job.kind, { sessionId: job.sessionId, version: job.version }) : false;
  } catch (e) {
    // a reply or an interruption got there first: this wait is over
    if (e instanceof SessionConflictError) return false;
    throw e;
  }
  if (!resumed) {
    const column = job.kind === 'timeout' ? sql`timeout_on` : sql`wait_expires_on`;
    await sql`UPDATE flow_sessions SET ${column} = NULL
               WHERE org_id = ${job.orgId} AND id = ${job.sessionId} AND status = 'W' AND wait_started_on = ${job.version}::timestamptz`.execute(deps.db);
  }
  return resumed;
}
