// The messaging jobs, defined on the application's job queue (src/jobs/index.ts).
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { HttpClient } from '../channels/http.ts';
import { BROADCAST_BATCH_JOB, BROADCAST_JOB, expandBroadcast, runBroadcastBatch, type BroadcastBatchJob, type BroadcastJob } from './broadcasts.ts';
import { SEND_JOB, sendMessages, type SendJob } from './sender.ts';

export interface MessagingOptions {
  /** Outgoing HTTP client (base-URL overrides point providers at fakes). */
  http?: HttpClient;
  /** Public base URL of this server, for provider status callbacks. */
  callbackBaseUrl?: string;
}

/** Provider base-URL overrides from RAPIDPRO_HTTP_OVERRIDES (a JSON object of prefix → URL). */
export function httpClientFromEnv(): HttpClient {
  let overrides: Record<string, string> = {};
  try {
    overrides = JSON.parse(process.env.RAPIDPRO_HTTP_OVERRIDES ?? '{}');
  } catch {
    throw new Error('RAPIDPRO_HTTP_OVERRIDES must be a JSON object');
  }
  return new HttpClient({ overrides, timeoutMs: Number(process.env.RAPIDPRO_HTTP_TIMEOUT_MS ?? 30_000) });
}

export function defineMessagingJobs(queue: JobQueue, db: Kysely<DB>, opts: MessagingOptions = {}): void {
  const http = opts.http ?? httpClientFromEnv();
  const callbackBaseUrl = opts.callbackBaseUrl ?? process.env.RAPIDPRO_PUBLIC_URL ?? `http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 8000}`;
  queue.define<BroadcastJob>({ name: BROADCAST_JOB, handler: (data) => expandBroadcast(db, queue, data) });
  queue.define<BroadcastBatchJob>({
    name: BROADCAST_BATCH_JOB,
    handler: (data) => runBroadcastBatch(db, queue, data),
    concurrency: Number(process.env.RAPIDPRO_BATCH_WORKERS ?? 2),
  });
  queue.define<SendJob>({
    name: SEND_JOB,
    handler: (data, meta) => sendMessages({ db, jobs: queue, http, callbackBaseUrl, concurrency: Number(process.env.RAPIDPRO_SEND_CONCURRENCY ?? 20) }, data, meta.id),
    concurrency: Number(process.env.RAPIDPRO_SEND_WORKERS ?? 4),
    expireInSeconds: Number(process.env.RAPIDPRO_SEND_EXPIRE_SECONDS ?? 300),
  });
}
