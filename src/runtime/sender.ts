// Sending (engine.md §5.4): one job per channel per batch of queued messages. The job claims its
// messages (committed before any provider call, so two jobs never send the same message), calls the
// channel type's send() through the one HTTP client with bounded concurrency, and records statuses
// in bulk as results come in. Errored messages are retried with exponential backoff by a delayed job
// queued in the same transaction as their status; after MAX_SEND_ERRORS they fail for good.
//
// Delivery is at-least-once across crashes: a job killed after the provider accepted a message but
// before its status was written is retried (pg-boss re-runs it under the same job id, which takes
// back its claims once they are older than the job's expiry — a live attempt keeps them fresh with a
// heartbeat) and sends those messages again. Their number is bounded per job by the calls in flight
// plus MAX_UNRECORDED (sending pauses while that many outcomes are unwritten).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { getChannelType } from '../channels/index.ts';
import type { HttpClient } from '../channels/http.ts';
import { ChannelRateLimiter } from '../channels/ratelimit.ts';
import type { Channel, OutgoingMsg, SendResult } from '../channels/types.ts';
import { MAX_SEND_ERRORS, retryDelaySeconds, type ChannelRow, type CreatedMsg } from '../models/msgs.ts';

export const SEND_JOB = 'msgs.send';
export const SEND_BATCH_SIZE = 500;
/** Sent messages whose outcome is not yet written, per job, before sending pauses. */
const MAX_UNRECORDED = Number(process.env.RAPIDPRO_SEND_MAX_UNRECORDED ?? 20);

export interface SendJob { orgId: number; channelId: number; msgIds: number[] }

/**
 * Per-channel send rate (the channel's `tps` config, else RAPIDPRO_DEFAULT_TPS, default 10 messages
 * per second), shared by every send job of this process.
 */
const limiter = new ChannelRateLimiter(Number(process.env.RAPIDPRO_DEFAULT_TPS ?? 10));

export interface SenderDeps {
  db: Kysely<DB>;
  jobs: JobQueue;
  http: HttpClient;
  /** Our public base URL, for status callback URLs. */
  callbackBaseUrl: string;
  /** Provider calls in flight per job. */
  concurrency?: number;
  /**
   * How long a claim lives without a heartbeat (the send job's expiry): an attempt of the same job
   * (pg-boss retries a job whose worker died) takes back only claims older than this.
   */
  claimTimeoutSeconds?: number;
}

/** Queues send jobs (one per channel per ≤500 messages) for the queued messages among `msgs`. */
export async function queueSendJobs(jobs: JobQueue | undefined, tx: Kysely<DB> | Transaction<DB>, orgId: number, msgs: CreatedMsg[], startAfter?: Date): Promise<void> {
  if (!jobs) return;
  const byChannel = new Map<number, number[]>();
  for (const m of msgs) {
    if (m.status !== 'Q' && m.status !== 'E') continue;
    if (m.channel_id === null) continue;
    const list = byChannel.get(m.channel_id) ?? [];
    list.push(m.id);
    byChannel.set(m.channel_id, list);
  }
  const items: SendJob[] = [];
  for (const [channelId, ids] of byChannel) {
    for (let i = 0; i < ids.length; i += SEND_BATCH_SIZE) items.push({ orgId, channelId, msgIds: ids.slice(i, i + SEND_BATCH_SIZE) });
  }
  await jobs.enqueueMany(SEND_JOB, items, { tx: tx as Kysely<DB>, ...(startAfter && { startAfter }) });
}

export function toChannel(c: ChannelRow): Channel {
  return { uuid: c.uuid, type: c.channel_type, name: c.name, address: c.address, country: c.country || null, config: c.config ?? {}, schemes: c.schemes, roles: c.roles };
}

interface Claimed {
  id: number;
  uuid: string;
  text: string;
  attachments: string[];
  quick_replies: any[];
  error_count: number;
  scheme: string | null;
  path: string | null;
  contact_name: string | null;
}

interface Outcome { id: number; status: 'W' | 'S' | 'E' | 'F'; externalId: string | null; errorCount: number; failedReason: string | null }

export async function sendMessages(deps: SenderDeps, job: SendJob, jobId: string): Promise<void> {
  const { db } = deps;
  const claimTimeout = deps.claimTimeoutSeconds ?? 300;
  const channel = (await db.selectFrom('channels').select(['id', 'uuid', 'org_id', 'name', 'channel_type', 'address', 'country', 'config', 'schemes', 'roles', 'is_active'])
    .where('org_id', '=', job.orgId).where('id', '=', job.channelId).executeTakeFirst()) as (ChannelRow & { is_active: boolean }) | undefined;
  const type = channel ? getChannelType(channel.channel_type) : undefined;
  if (!channel || !channel.is_active || !type) {
    // channel removed (or a type we cannot send with): its queued messages fail
    await db.updateTable('msgs').set({ status: 'F', failed_reason: 'R', modified_on: sql`clock_timestamp()`, claimed_by: null })
      .where('org_id', '=', job.orgId).where('id', 'in', job.msgIds).where('status', 'in', ['Q', 'E', 'I']).execute();
    return;
  }
  // take the messages still to send: queued, or errored and due; messages this job claimed before
  // a crash are taken back
  const claimed = await sql<Claimed>`
    UPDATE msgs m SET claimed_by = ${jobId}, claimed_on = clock_timestamp()
    FROM msgs m2 LEFT JOIN contact_urns u ON u.id = m2.contact_urn_id LEFT JOIN contacts c ON c.id = m2.contact_id
    WHERE m.id = m2.id AND m.org_id = ${job.orgId} AND m.id = ANY(${job.msgIds}::bigint[]) AND m.channel_id = ${job.channelId}
      AND m.direction = 'O' AND m.status IN ('Q','E','I')
      AND (m.next_attempt IS NULL OR m.next_attempt <= clock_timestamp() + interval '1 second')
      AND (m.claimed_by IS NULL OR (m.claimed_by = ${jobId} AND m.claimed_on < clock_timestamp() - ${claimTimeout} * interval '1 second'))
    RETURNING m.id, m.uuid, m.text, m.attachments, m.quick_replies, m.error_count, u.scheme, u.path, c.name AS contact_name`.execute(db);
  // messages an earlier attempt of this job still holds (it may be alive and slow): retry later
  const stillHeld = async () => (await db.selectFrom('msgs').select('id').where('org_id', '=', job.orgId).where('id', 'in', job.msgIds)
    .where('claimed_by', '=', jobId).where('status', 'in', ['Q', 'E', 'I']).where(sql<boolean>`claimed_on >= clock_timestamp() - ${claimTimeout} * interval '1 second'`)
    .limit(1).execute()).length > 0;
  if (!claimed.rows.length) {
    if (await stillHeld()) throw new Error('messages still claimed by an earlier attempt of this job');
    return;
  }
  const mine = claimed.rows.map((r) => r.id);
  // heartbeat: keeps this attempt's claims fresh while it runs
  const beat = setInterval(() => {
    db.updateTable('msgs').set({ claimed_on: sql`clock_timestamp()` }).where('id', 'in', mine).where('claimed_by', '=', jobId).execute().catch(() => {});
  }, Math.max(500, (claimTimeout * 1000) / 5));
  try {
    await sendClaimed(deps, job, type, channel, claimed.rows);
    if (await stillHeld()) throw new Error('messages still claimed by an earlier attempt of this job');
  } finally {
    clearInterval(beat);
  }
}

async function sendClaimed(deps: SenderDeps, job: SendJob, type: NonNullable<ReturnType<typeof getChannelType>>, channel: ChannelRow, rows: Claimed[]): Promise<void> {
  const ch = toChannel(channel);
  // Outcomes are written in bulk, continuously (one write at a time, each taking everything that
  // finished meanwhile). Sending waits while too many outcomes are unwritten: what a crash can make us
  // send twice is bounded by the calls in flight plus MAX_UNRECORDED.
  const pending: Outcome[] = [];
  let writing: Promise<void> | null = null;
  let unrecorded = 0;
  let failure: unknown = null;
  const writeLoop = async () => {
    while (pending.length) {
      const batch = pending.splice(0, pending.length);
      await recordOutcomes(deps, job.orgId, job.channelId, batch);
      unrecorded -= batch.length;
    }
    writing = null;
  };
  const record = (o: Outcome) => {
    pending.push(o);
    unrecorded++;
    writing ??= writeLoop().catch((e) => {
      failure = e;
      writing = null;
    });
  };

  const queue = [...rows];
  const worker = async () => {
    for (;;) {
      while (unrecorded >= MAX_UNRECORDED && writing) await writing;
      if (failure) throw failure;
      const m = queue.shift();
      if (!m) break;
      let outcome: Outcome;
      if (!m.scheme || !m.path) {
        outcome = { id: m.id, status: 'F', externalId: null, errorCount: m.error_count, failedReason: 'D' };
      } else {
        const msg: OutgoingMsg = {
          uuid: m.uuid, id: m.id, urn: `${m.scheme}:${m.path}`, text: m.text, attachments: m.attachments,
          quickReplies: m.quick_replies ?? [], contactName: m.contact_name,
        };
        let result: SendResult;
        await limiter.acquire(ch);
        try {
          result = await type.send({ channel: ch, msg, http: deps.http, callbackBaseUrl: deps.callbackBaseUrl });
        } catch (e) {
          result = { status: 'errored', externalIds: [], retryable: true, errors: [{ code: 'internal', message: String((e as Error)?.message ?? e) }], logs: [] };
        }
        outcome = outcomeOf(m, result);
      }
      record(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 20, rows.length) }, worker));
  while (writing) await writing;
  if (failure) throw failure;
}

function outcomeOf(m: Claimed, r: SendResult): Outcome {
  const ext = r.externalId ?? r.externalIds[0] ?? null;
  if (r.status === 'wired' || r.status === 'sent') return { id: m.id, status: r.status === 'sent' ? 'S' : 'W', externalId: ext, errorCount: m.error_count, failedReason: null };
  const errors = m.error_count + 1;
  if (r.status === 'failed' || !r.retryable || errors >= MAX_SEND_ERRORS) {
    return { id: m.id, status: 'F', externalId: ext, errorCount: errors, failedReason: r.status === 'failed' || !r.retryable ? null : 'E' };
  }
  return { id: m.id, status: 'E', externalId: ext, errorCount: errors, failedReason: null };
}

/** Writes a set of outcomes in one statement and schedules the retry of the errored ones. */
async function recordOutcomes(deps: SenderDeps, orgId: number, channelId: number, outcomes: Outcome[]): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    await sql`
      UPDATE msgs m SET status = o.status, external_id = COALESCE(o.external_id, m.external_id), error_count = o.error_count,
        failed_reason = o.failed_reason,
        next_attempt = CASE WHEN o.status = 'E' THEN clock_timestamp() + o.delay * interval '1 second' ELSE NULL END,
        sent_on = CASE WHEN o.status IN ('W','S') THEN clock_timestamp() ELSE m.sent_on END,
        claimed_by = NULL, claimed_on = NULL, modified_on = clock_timestamp()
      FROM unnest(${outcomes.map((o) => o.id)}::bigint[], ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => o.externalId)}::text[],
                  ${outcomes.map((o) => o.errorCount)}::int[], ${outcomes.map((o) => o.failedReason)}::text[],
                  ${outcomes.map((o) => retryDelaySeconds(o.errorCount))}::float8[])
        AS o(id, status, external_id, error_count, failed_reason, delay)
      WHERE m.id = o.id AND m.org_id = ${orgId}`.execute(tx);
    // one delayed retry job per distinct delay
    const byDelay = new Map<number, number[]>();
    for (const o of outcomes) {
      if (o.status !== 'E') continue;
      const d = retryDelaySeconds(o.errorCount);
      byDelay.set(d, [...(byDelay.get(d) ?? []), o.id]);
    }
    for (const [delay, ids] of byDelay) {
      await deps.jobs.enqueueMany<SendJob>(SEND_JOB, [{ orgId, channelId, msgIds: ids }], { tx: tx as unknown as Kysely<DB>, startAfter: new Date(Date.now() + delay * 1000) });
    }
  });
}
