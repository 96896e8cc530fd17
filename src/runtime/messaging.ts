// The messaging jobs, defined on the application's job queue (src/jobs/index.ts).
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { HttpClient } from '../channels/http.ts';
import { shareChannelRateLimits } from '../channels/ratelimit.ts';
import { BROADCAST_BATCH_JOB, BROADCAST_JOB, expandBroadcast, runBroadcastBatch, type BroadcastBatchJob, type BroadcastJob } from './broadcasts.ts';
import { SEND_JOB, SEND_PRIORITY, sendMessages, type SendJob } from './sender.ts';
import { sweepStrandedSends } from './claim-sweep.ts';
import type { MessageSink } from './events.ts';
import { knownFlowMessages, queueFlowMessagesBatch } from './flow-messages.ts';
import { outgoingInsert } from '../models/msgs.ts';
import { sql } from 'kysely';
import { sendPriority } from './send-priority.ts';

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
  // the senders' per-channel tps limit counts in this database, so it holds across worker processes
  shareChannelRateLimits(db);
  const callbackBaseUrl = opts.callbackBaseUrl ?? process.env.RAPIDPRO_PUBLIC_URL ?? `http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 8000}`;
  // a job still active after this long was lost with its worker (crash): pg-boss retries it
  const expireInSeconds = Number(process.env.RAPIDPRO_JOB_EXPIRE_SECONDS ?? 300);
  queue.define<BroadcastJob>({ name: BROADCAST_JOB, handler: (data) => expandBroadcast(db, queue, data), expireInSeconds });
  queue.define<BroadcastBatchJob>({
    name: BROADCAST_BATCH_JOB,
    // counted as fan-out: this process's bulk sends give way while it runs (send-priority.ts)
    handler: (data) => sendPriority.during(() => runBroadcastBatch(db, queue, data)),
    concurrency: Number(process.env.RAPIDPRO_BATCH_WORKERS ?? 4),
    expireInSeconds,
  });
  const sendExpire = Number(process.env.RAPIDPRO_SEND_EXPIRE_SECONDS ?? expireInSeconds);
  queue.define<SendJob>({
    name: SEND_JOB,
    handler: (data, meta) => sendMessages({ db, jobs: queue, http, callbackBaseUrl, concurrency: Number(process.env.RAPIDPRO_SEND_CONCURRENCY ?? 20), claimTimeoutSeconds: sendExpire }, data, meta.id),
    concurrency: Number(process.env.RAPIDPRO_SEND_WORKERS ?? 4),
    expireInSeconds: sendExpire,
  });
  // the messages of send jobs that pg-boss will not run again (out of retries) go to new jobs
  queue.every('stranded sends', Number(process.env.RAPIDPRO_SEND_SWEEP_SECONDS ?? 60), () => sweepStrandedSends(db, queue, sendExpire));
}

/**
 * The runtime's message sink: a sprint's `msg_created` events become outgoing messages (on the URN
 * and channel the engine chose; unsendable ones failed), queued for sending in the sprint's
 * transaction; `input_labels_added` labels the incoming message.
 */
export function messagingSink(jobs: JobQueue | undefined): MessageSink {
  return {
    // one contact's sprint is a batch of one, with no asset ids known beforehand
    queueFlowMessages: (tx, ws, contactId, events, flowUuid) =>
      queueFlowMessagesBatch(jobs, tx, ws, [{ contactId, events, flowUuid }], { flowIds: new Map(), channelIds: new Map() }),
    queueFlowMessagesBatch: (tx, ws, items, ids) => queueFlowMessagesBatch(jobs, tx, ws, items, ids),
    flowMessagesSql(ws, items, ids) {
      const byFlow = knownFlowMessages(ws, items, ids);
      if (!byFlow || byFlow.size !== 1) return null;
      const [[flowId, msgs]] = byFlow;
      const queued = msgs.some((m) => m.status === 'Q' && m.channelId !== null);
      const insert = outgoingInsert(ws.id, msgs, { flowId, highPriority: true, onlyIf: sql`EXISTS (SELECT 1 FROM written)` });
      // the send jobs queueSendJobs would enqueue: one per channel
      const sendJobs = jobs && queued
        ? sql`, flow_msg_jobs AS (${jobs.insertSql(SEND_JOB, sql`
            SELECT jsonb_build_object('orgId', ${ws.id}::bigint, 'channelId', channel_id, 'msgIds', jsonb_agg(id ORDER BY id), 'priority', true)
              FROM flow_msgs WHERE status IN ('Q', 'E') AND channel_id IS NOT NULL GROUP BY channel_id`, { priority: SEND_PRIORITY })})`
        : sql``;
      return {
        sql: sql`flow_msgs AS (${insert})${sendJobs}`,
        // this process's senders look now rather than at their next poll: a reply is waiting on it
        written: () => { if (jobs && queued) jobs.wake(SEND_JOB, 1); },
      };
    },
    async labelInput(tx, ws, msgUuid, labels) {
      if (!labels.length) return;
      const [msg, rows] = await Promise.all([
        tx.selectFrom('msgs').select('id').where('org_id', '=', ws.id).where('uuid', '=', msgUuid).executeTakeFirst(),
        tx.selectFrom('msg_labels').select('id').where('org_id', '=', ws.id).where('is_active', '=', true).where('uuid', 'in', labels.map((l) => l.uuid)).execute(),
      ]);
      if (!msg || !rows.length) return;
      await tx.insertInto('msg_labels_msgs').values(rows.map((l) => ({ label_id: l.id, msg_id: msg.id }))).onConflict((oc) => oc.doNothing()).execute();
    },
  };
}
