import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { JobQueue } from './queue.ts';
import { EVALUATE_GROUP_JOB, evaluateSmartGroup } from '../models/smart-groups.ts';
import { START_FLOW_JOB, START_FLOW_BATCH_JOB } from '../models/flow-starts.ts';
import { runFlowStart, runFlowStartBatch } from '../runtime/starts.ts';
import type { MessageSink } from '../runtime/events.ts';
import { WAIT_JOB, fireWaitJob, sweepDueWaits, type WaitJob } from '../runtime/waits.ts';
import { resumeWait } from '../runtime/runner.ts';
import { defineMessagingJobs, messagingSink, type MessagingOptions } from '../runtime/messaging.ts';

export interface JobQueueOptions {
  pollingIntervalSeconds?: number;
  /** Where messages created by flows go (the messaging pipeline). */
  sink?: MessageSink | null;
  /** HTTP client and callback base URL of the senders (runtime/messaging.ts). */
  messaging?: MessagingOptions;
}

/**
 * The application's job queue with every job type defined. Features add their job specs here
 * (broadcast batches, flow start batches, message sends, webhook deliveries, timeouts...).
 */
export function createJobQueue(d: { pool: pg.Pool; db: Kysely<DB> }, opts: JobQueueOptions = {}): JobQueue {
  const queue = new JobQueue(d.pool, opts);
  const runtime = { db: d.db, sink: opts.sink !== undefined ? opts.sink : messagingSink(queue), jobs: queue };
  queue.define<{ orgId: number; groupId: number }>({
    name: EVALUATE_GROUP_JOB,
    handler: ({ orgId, groupId }) => evaluateSmartGroup(d.db, orgId, groupId),
  });
  queue.define<{ orgId: number; startId: number }>({
    name: START_FLOW_JOB,
    handler: ({ orgId, startId }) => runFlowStart(runtime, (n, data) => queue.enqueue(n, data), orgId, startId),
  });
  queue.define<{ orgId: number; startId: number; contactIds: number[]; last: boolean }>({
    name: START_FLOW_BATCH_JOB,
    handler: ({ orgId, startId, contactIds, last }) => runFlowStartBatch(runtime, orgId, startId, contactIds, last),
  });
  queue.define<WaitJob>({
    name: WAIT_JOB,
    handler: async (job) => { await fireWaitJob(runtime, (ws, contactId, kind, expected) => resumeWait(runtime, ws, contactId, kind, expected), job); },
  });
  // the schedule of wait timeouts and expirations is the sessions table (runtime/waits.ts)
  queue.every('wait sweep', Number(process.env.RAPIDPRO_WAIT_SWEEP_SECONDS ?? 1), () => sweepDueWaits(d.db, queue));
  defineMessagingJobs(queue, d.db, opts.messaging);
  return queue;
}

export { JobQueue };
