// Sending (engine.md §5.4): one job per channel per batch of queued messages. A job claims its
// messages a few at a time, just ahead of the provider calls, and sends them through the channel
// type's send() with the one HTTP client and bounded concurrency. Each round trip to the database
// both writes the outcomes that came in meanwhile and claims the next messages, so a message is
// claimed (committed) before its provider call and released with its outcome. Errored messages are
// retried with exponential backoff by a delayed job queued in the same transaction as their status;
// after MAX_SEND_ERRORS they fail for good.
//
// The claim is the durable "sending" mark. A job killed with its worker leaves claims behind; the
// retry of the job (pg-boss re-runs it under the same id after its expiry) finds them older than the
// expiry — a live attempt keeps its claims fresh with a heartbeat — and sends those messages again,
// with the same message id (EX's `id`), since their provider call may or may not have gone through.
// Every other message of the job is sent once. So a crash can re-send at most the job's claimed
// window (max(2 × concurrency, CLAIM_WINDOW_MIN) messages), and only messages in it: a provider that
// de-duplicates on the message id delivers each message exactly once; one that does not may deliver
// those few twice (docs/messaging.md, "Crashes").
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { getChannelType } from '../channels/index.ts';
import type { HttpClient } from '../channels/http.ts';
import { ChannelRateLimiter } from '../channels/ratelimit.ts';
import type { Channel, OutgoingMsg, SendResult } from '../channels/types.ts';
import { afterError, retryDelaySeconds, toChannel, type ChannelRow, type CreatedMsg } from '../models/msgs.ts';
import { appendUrnsFromSends, stopContactsOfMsgs } from './send-effects.ts';
import { sendPriority } from './send-priority.ts';

export const SEND_JOB = 'msgs.send';
export const SEND_BATCH_SIZE = 500;
/**
 * Claimed messages whose outcome is not yet written, per job: twice the calls in flight, and at
 * least CLAIM_WINDOW_MIN so that a round trip carries tens of messages (what a crash may re-send).
 */
const CLAIM_AHEAD = 2;
export const CLAIM_WINDOW_MIN = 100;

/** `priority`: messages a contact is waiting for (flow replies): fetched before bulk jobs, never slowed by fan-out (send-priority.ts). */
export interface SendJob { orgId: number; channelId: number; msgIds: number[]; priority?: boolean }

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

/** Queues send jobs (one per channel per ≤500 messages) for the queued messages among `msgs`; says how many. */
export async function queueSendJobs(
  jobs: JobQueue | undefined, tx: Kysely<DB> | Transaction<DB>, orgId: number, msgs: CreatedMsg[], startAfter?: Date, opts: { priority?: boolean } = {},
): Promise<number> {
  if (!jobs) return 0;
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
    for (let i = 0; i < ids.length; i += SEND_BATCH_SIZE) items.push({ orgId, channelId, msgIds: ids.slice(i, i + SEND_BATCH_SIZE), ...(opts.priority && { priority: true }) });
  }
  await jobs.enqueueMany(SEND_JOB, items, { tx: tx as Kysely<DB>, ...(startAfter && { startAfter }), ...(opts.priority && { priority: SEND_PRIORITY }) });
  return items.length;
}

/** pg-boss priority of priority send jobs (bulk ones have 0): fetched first. */
export const SEND_PRIORITY = 10;

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

interface Outcome {
  id: number; status: 'W' | 'S' | 'E' | 'F'; externalId: string | null; errorCount: number; failedReason: string | null;
  /** the provider said the contact opted out */
  stopped?: boolean;
  /** a URN the provider gave for the recipient of a sent message */
  newUrn?: string;
}

export async function sendMessages(deps: SenderDeps, job: SendJob, jobId: string): Promise<void> {
  const { db } = deps;
  const claimTimeout = deps.claimTimeoutSeconds ?? 300;
  const channel = (await db.selectFrom('channels').select(['id', 'uuid', 'org_id', 'name', 'channel_type', 'address', 'country', 'config', 'schemes', 'roles', 'is_active'])
    .where('org_id', '=', job.orgId).where('id', '=', job.channelId).executeTakeFirst()) as (ChannelRow & { is_active: boolean }) | undefined;
  const type = channel ? getChannelType(channel.channel_type) : undefined;
  if (!channel || !channel.is_active || !type) {
    // channel removed (or a type we cannot send with): its queued messages fail
    await db.updateTable('msgs').set({ status: 'F', failed_reason: 'R', modified_on: sql`clock_timestamp()` })
      .where('org_id', '=', job.orgId).where('id', 'in', job.msgIds).where('status', 'in', ['Q', 'E', 'I']).execute();
    await sql`DELETE FROM msg_claims WHERE msg_id = ANY(${job.msgIds}::bigint[])`.execute(db);
    return;
  }
  await sendJob(deps, job, jobId, type, channel, claimTimeout);
  // messages an earlier attempt of this job still holds (it may be alive and slow): retry later
  const held = await sql`
    SELECT 1 FROM msg_claims WHERE msg_id = ANY(${job.msgIds}::bigint[]) AND job_id = ${jobId}
      AND claimed_on >= clock_timestamp() - ${claimTimeout} * interval '1 second' LIMIT 1`.execute(db);
  if (held.rows.length) throw new Error('messages still claimed by an earlier attempt of this job');
}

/**
 * The job's loop. One round trip at a time does all the database work: write the outcomes that came
 * in and claim enough messages to keep `concurrency` calls busy with more waiting behind them (up to
 * the claim window). A round trip is made only when the calls are about to run dry or a round of outcomes
 * is waiting (or at the end), so each carries tens of messages, not one.
 */
async function sendJob(deps: SenderDeps, job: SendJob, jobId: string, type: NonNullable<ReturnType<typeof getChannelType>>, channel: ChannelRow, claimTimeout: number): Promise<void> {
  const ch = toChannel(channel);
  const concurrency = Math.max(1, deps.concurrency ?? 20);
  const window = Math.max(concurrency * CLAIM_AHEAD, CLAIM_WINDOW_MIN);
  const round = Math.floor(window / 2);
  const todo = [...job.msgIds];
  const ready: Claimed[] = [];
  const pending: Outcome[] = [];
  /** claimed by this attempt, outcome not yet written */
  const held = new Set<number>();
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const priority = job.priority === true;
  const dispatch = () => {
    while (inFlight < concurrency && ready.length && sendPriority.mayCall(priority)) {
      const m = ready.shift()!;
      inFlight++;
      void sendPriority.call(priority, () => sendOne(deps, type, ch, m)).then((o) => {
        inFlight--;
        pending.push(o);
        dispatch();
        signal();
      });
    }
  };

  // calls held back while messages are being created go out as soon as a slot frees or that ends
  const stopWatching = sendPriority.onChange(dispatch);
  // heartbeat: keeps this attempt's claims fresh while it runs
  const beat = setInterval(() => {
    if (!held.size) return;
    sql`UPDATE msg_claims SET claimed_on = clock_timestamp() WHERE msg_id = ANY(${[...held]}::bigint[]) AND job_id = ${jobId}`.execute(deps.db).catch(() => {});
  }, Math.max(500, (claimTimeout * 1000) / 5));
  try {
    for (;;) {
      const running = ready.length + inFlight;
      const due =
        (todo.length > 0 && ready.length < round && held.size - pending.length < window) || // calls about to run dry
        pending.length >= round || // a round of outcomes
        (pending.length > 0 && running === 0); // the last ones
      if (!due) {
        if (!held.size && !todo.length) break;
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      const outcomes = pending.splice(0, pending.length);
      const room = window - (held.size - outcomes.length);
      const offer = room > 0 ? todo.splice(0, room) : [];
      let claimed: Claimed[];
      try {
        claimed = await writeAndClaim(deps, job, jobId, claimTimeout, outcomes, offer);
      } catch (e) {
        // stop here; the calls in flight finish and the job is retried (their claims expire)
        todo.length = 0;
        ready.length = 0;
        while (inFlight) await new Promise<void>((r) => (wake = r));
        throw e;
      }
      for (const o of outcomes) held.delete(o.id);
      for (const m of claimed) held.add(m.id);
      ready.push(...claimed);
      dispatch();
    }
  } finally {
    clearInterval(beat);
    stopWatching();
  }
}

async function sendOne(deps: SenderDeps, type: NonNullable<ReturnType<typeof getChannelType>>, ch: Channel, m: Claimed): Promise<Outcome> {
  if (!m.scheme || !m.path) return { id: m.id, status: 'F', externalId: null, errorCount: m.error_count, failedReason: 'D' };
  const msg: OutgoingMsg = {
    uuid: m.uuid, id: m.id, urn: `${m.scheme}:${m.path}`, text: m.text, attachments: m.attachments,
    quickReplies: m.quick_replies ?? [], contactName: m.contact_name,
  };
  let result: SendResult;
  try {
    await limiter.acquire(ch);
    result = await type.send({ channel: ch, msg, http: deps.http, callbackBaseUrl: deps.callbackBaseUrl });
  } catch (e) {
    result = { status: 'errored', externalIds: [], retryable: true, errors: [{ code: 'internal', message: String((e as Error)?.message ?? e) }], logs: [] };
  }
  return outcomeOf(m, result);
}

function outcomeOf(m: Claimed, r: SendResult): Outcome {
  const ext = r.externalId ?? r.externalIds[0] ?? null;
  if (r.status === 'wired' || r.status === 'sent') {
    return { id: m.id, status: r.status === 'sent' ? 'S' : 'W', externalId: ext, errorCount: m.error_count, failedReason: null, ...(r.newUrn && { newUrn: r.newUrn }) };
  }
  const errors = m.error_count + 1;
  if (r.status === 'failed' || !r.retryable || r.contactStopped) {
    return { id: m.id, status: 'F', externalId: ext, errorCount: errors, failedReason: null, ...(r.contactStopped && { stopped: true }) };
  }
  const next = afterError(errors);
  return { id: m.id, status: next.status, externalId: ext, errorCount: errors, failedReason: next.failedReason };
}

/**
 * As courier: a wait's timeout counts from when the last message of its sprint went out, not from
 * when the sprint was written. A CTE for writeAndClaim's statement (empty when nothing was sent).
 */
function restartTimeouts(orgId: number, outcomes: Outcome[]) {
  const sent = outcomes.filter((o) => o.status === 'W' || o.status === 'S').map((o) => o.id);
  if (!sent.length) return sql``;
  return sql`, restarted AS (
        UPDATE flow_sessions s SET timeout_on = clock_timestamp() + s.wait_timeout_seconds * interval '1 second'
        FROM msgs m
        WHERE m.id = ANY(${sent}::bigint[]) AND m.org_id = ${orgId} AND m.flow_id IS NOT NULL
          AND s.contact_id = m.contact_id AND s.status = 'W' AND s.org_id = ${orgId}
          AND s.wait_msg_uuid = m.uuid AND s.wait_timeout_seconds IS NOT NULL
      )`;
}

/**
 * One statement: writes `outcomes` (releasing their claims) and claims those of `offer` still to
 * send — queued, or errored and due, and unclaimed or claimed by an expired attempt of this job.
 * With errored outcomes it runs in a transaction with their delayed retry jobs.
 */
async function writeAndClaim(deps: SenderDeps, job: SendJob, jobId: string, claimTimeout: number, outcomes: Outcome[], offer: number[]): Promise<Claimed[]> {
  const { orgId, channelId } = job;
  const write = outcomes.length
    ? sql`released AS (
        DELETE FROM msg_claims WHERE msg_id = ANY(${outcomes.map((o) => o.id)}::bigint[]) AND job_id = ${jobId}
      ), written AS (
        UPDATE msgs m SET status = o.status, external_id = COALESCE(o.external_id, m.external_id), error_count = o.error_count,
          failed_reason = o.failed_reason,
          next_attempt = CASE WHEN o.status = 'E' THEN clock_timestamp() + o.delay * interval '1 second' ELSE NULL END,
          sent_on = CASE WHEN o.status IN ('W','S') THEN clock_timestamp() ELSE m.sent_on END,
          modified_on = clock_timestamp()
        FROM unnest(${outcomes.map((o) => o.id)}::bigint[], ${outcomes.map((o) => o.status)}::text[], ${outcomes.map((o) => o.externalId)}::text[],
                    ${outcomes.map((o) => o.errorCount)}::int[], ${outcomes.map((o) => o.failedReason)}::text[],
                    ${outcomes.map((o) => retryDelaySeconds(o.errorCount))}::float8[])
          AS o(id, status, external_id, error_count, failed_reason, delay)
        WHERE m.id = o.id AND m.org_id = ${orgId}
      )${restartTimeouts(orgId, outcomes)}`
    : null;
  // a claim is inserted, or taken over from an expired attempt of this same job
  const claim = offer.length
    ? sql`taken AS (
        INSERT INTO msg_claims (msg_id, job_id)
        SELECT m.id, ${jobId} FROM msgs m
        WHERE m.id = ANY(${offer}::bigint[]) AND m.org_id = ${orgId} AND m.channel_id = ${channelId}
          AND m.direction = 'O' AND m.status IN ('Q','E','I')
          AND (m.next_attempt IS NULL OR m.next_attempt <= clock_timestamp() + interval '1 second')
        ON CONFLICT (msg_id) DO UPDATE SET claimed_on = clock_timestamp()
          WHERE msg_claims.job_id = excluded.job_id AND msg_claims.claimed_on < clock_timestamp() - ${claimTimeout} * interval '1 second'
        RETURNING msg_id
      ), claimed AS (
        SELECT m.id, m.uuid, m.text, m.attachments, m.quick_replies, m.error_count, u.scheme, u.path, c.name AS contact_name
        FROM taken t JOIN msgs m ON m.id = t.msg_id LEFT JOIN contact_urns u ON u.id = m.contact_urn_id LEFT JOIN contacts c ON c.id = m.contact_id
      )`
    : null;
  const ctes = [write, claim].filter((c): c is NonNullable<typeof c> => c !== null);
  const statement = sql`WITH ${sql.join(ctes, sql`, `)} ${claim ? sql`SELECT * FROM claimed ORDER BY id` : sql`SELECT NULL::bigint AS id WHERE false`}`;
  const errored = outcomes.filter((o) => o.status === 'E');
  const stopped = outcomes.filter((o) => o.stopped).map((o) => o.id);
  const newUrns = outcomes.flatMap((o) => (o.newUrn ? [{ msgId: o.id, urn: o.newUrn }] : []));
  if (!errored.length && !stopped.length && !newUrns.length) return (await statement.execute(deps.db)).rows as Claimed[];
  return deps.db.transaction().execute(async (tx) => {
    const rows = (await statement.execute(tx)).rows as Claimed[];
    await queueRetries(deps.jobs, tx, orgId, channelId, errored, job.priority === true);
    await stopContactsOfMsgs(tx, orgId, channelId, stopped);
    await appendUrnsFromSends(tx, orgId, channelId, newUrns);
    return rows;
  });
}

/**
 * Delayed send jobs for messages just made errored (by a send or a status callback), one per
 * distinct backoff delay, in the transaction that wrote their status and next_attempt.
 */
export async function queueRetries(
  jobs: JobQueue | undefined, tx: Transaction<DB>, orgId: number, channelId: number, errored: { id: number; errorCount: number }[], priority = false,
): Promise<void> {
  if (!jobs) return;
  const byDelay = new Map<number, number[]>();
  for (const o of errored) {
    const d = retryDelaySeconds(o.errorCount);
    byDelay.set(d, [...(byDelay.get(d) ?? []), o.id]);
  }
  for (const [delay, ids] of byDelay) {
    await jobs.enqueueMany<SendJob>(SEND_JOB, [{ orgId, channelId, msgIds: ids, ...(priority && { priority: true }) }], {
      tx: tx as unknown as Kysely<DB>, startAfter: new Date(Date.now() + delay * 1000), ...(priority && { priority: SEND_PRIORITY }),
    });
  }
}
