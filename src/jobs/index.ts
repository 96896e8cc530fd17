import type pg from 'pg';
import { JobQueue } from './queue.ts';

/**
 * The application's job queue with every job type defined. Features add their job specs here
 * (broadcast batches, flow start batches, message sends, webhook deliveries, timeouts...).
 */
export function createJobQueue(pool: pg.Pool, opts: { pollingIntervalSeconds?: number } = {}): JobQueue {
  const queue = new JobQueue(pool, opts);
  return queue;
}

export { JobQueue };
