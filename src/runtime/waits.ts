// Wait timeouts and run expirations (engine.md §5.8) fire from durable jobs: when a sprint leaves a
// session waiting, a job is enqueued in the same transaction to run at the timeout and another at
// the expiry. A job only acts while the session still waits with the same wait (the same due
// time), so jobs made stale by a reply, an interruption or a newer wait do nothing.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { getWorkspace } from '../models/workspaces.ts';

export const WAIT_JOB = 'flow_wait';

export type WaitKind = 'timeout' | 'expiration';

export interface WaitJob {
  orgId: number;
  contactId: number;
  sessionId: number;
  kind: WaitKind;
  /** When it was due, ISO: must still equal the session's timeout_on / wait_expires_on. */
  at: string;
}

/** A session left waiting, with when its wait times out / expires. */
export interface WaitToSchedule {
  contactId: number;
  sessionId: number;
  timeoutOn: Date | null;
  expiresOn: Date | null;
}

/**
 * Enqueues the timeout and expiry jobs of sessions left waiting, in the caller's transaction (as
 * mailroom: never a timeout that would fall after the expiry). Jobs due within the same second go
 * in one statement to run at the end of that second (a job acts only once its wait is due, and a
 * second late is within the queue's polling anyway); a single session keeps its exact time.
 */
export async function scheduleWaitJobsBatch(tx: Kysely<DB>, jobs: JobQueue, orgId: number, waits: WaitToSchedule[]): Promise<void> {
  const groups = new Map<number, WaitJob[]>();
  for (const w of waits) {
    const timeoutOn = w.timeoutOn && w.expiresOn && w.timeoutOn > w.expiresOn ? null : w.timeoutOn;
    const items: [WaitKind, Date | null][] = [['timeout', timeoutOn], ['expiration', w.expiresOn]];
    for (const [kind, at] of items) {
      if (!at || Number.isNaN(at.getTime())) continue;
      const runAt = waits.length === 1 ? at.getTime() : Math.ceil(at.getTime() / 1000) * 1000;
      const list = groups.get(runAt) ?? [];
      list.push({ orgId, contactId: w.contactId, sessionId: w.sessionId, kind, at: at.toISOString() });
      groups.set(runAt, list);
    }
  }
  for (const [runAt, list] of groups) await jobs.enqueueMany(WAIT_JOB, list, { tx, startAfter: new Date(runAt) });
}

const sameInstant = (a: unknown, iso: string) => a != null && Math.abs(new Date(a as string | Date).getTime() - Date.parse(iso)) < 1;

/**
 * Handles a due wait job: resumes the session with wait_timeout / wait_expiration when it still
 * waits with the wait the job was made for. Returns whether it resumed anything.
 */
export async function fireWaitJob(
  deps: { db: Kysely<DB> },
  resumeWait: (ws: NonNullable<Awaited<ReturnType<typeof getWorkspace>>>, contactId: number, kind: WaitKind) => Promise<boolean>,
  job: WaitJob,
): Promise<boolean> {
  const s = await deps.db.selectFrom('flow_sessions').select(['id', 'status', 'contact_id', 'timeout_on', 'wait_expires_on'])
    .where('org_id', '=', job.orgId).where('id', '=', job.sessionId).executeTakeFirst();
  if (!s || s.status !== 'W' || s.contact_id !== job.contactId) return false;
  if (!sameInstant(job.kind === 'timeout' ? s.timeout_on : s.wait_expires_on, job.at)) return false;
  const ws = await getWorkspace(deps.db, job.orgId);
  if (!ws) return false;
  return resumeWait(ws, job.contactId, job.kind);
}
