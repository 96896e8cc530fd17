import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { JobQueue } from './queue.ts';
import { EVALUATE_GROUP_JOB, evaluateSmartGroup } from '../models/smart-groups.ts';
import { defineMessagingJobs, type MessagingOptions } from '../runtime/messaging.ts';

/**
 * The application's job queue with every job type defined. Features add their job specs here
 * (broadcast batches, flow start batches, message sends, webhook deliveries, timeouts...).
 */
export function createJobQueue(d: { pool: pg.Pool; db: Kysely<DB> }, opts: { pollingIntervalSeconds?: number; messaging?: MessagingOptions } = {}): JobQueue {
  const queue = new JobQueue(d.pool, opts);
  queue.define<{ orgId: number; groupId: number }>({
    name: EVALUATE_GROUP_JOB,
    handler: ({ orgId, groupId }) => evaluateSmartGroup(d.db, orgId, groupId),
  });
  defineMessagingJobs(queue, d.db, opts.messaging);
  return queue;
}

export { JobQueue };
