// Per-channel send rate limit (messages per second). The channel's `tps` config (RapidPro's field)
// sets its rate; the default applies otherwise.
//
// Two modes behind one `acquire(channel)`:
// * shared (when a RateLimitStore is given or registered with shareChannelRateLimits): the count of
//   messages per channel per one-second window lives in the database, so every worker process
//   together stays within the rate. A process leases a few tokens at a time with one statement
//   (a quarter of the window's allowance, or as many as it has messages waiting, whichever is more),
//   so the database sees about four statements per channel per second per process, not one per
//   message. Leased tokens expire with their window: a process never carries them into the next one.
// * local (no store, or the store failing): a token bucket per channel in this process, with a
//   burst of one second's worth of messages.
import { sql, type Kysely } from 'kysely';
import type { Channel } from './types.ts';

/** Takes up to `want` of a window's `capacity` tokens; says how many it got and when the window ends. */
export interface RateLimitStore {
  take(key: string, capacity: number, windowMs: number, want: number): Promise<RateLimitTake>;
}

export interface RateLimitTake {
  granted: number;
  /** Until the window ends. */
  msLeft: number;
  /** The window's number (ms since the epoch / window length), for tests and logs. */
  window?: number;
}

/**
 * The database store: per-window hit counters in `api_throttle` (the API throttle's table of
 * time-bucketed counters shared by every process), under org_id 0 and scope `channel.tps:<uuid>`,
 * so no workspace's API throttle ever reads them. Window numbers come from the database clock, so
 * processes on different machines agree on them.
 */
export function databaseRateLimitStore(db: Kysely<any>): RateLimitStore {
  const lastPrune = new Map<string, number>();
  return {
    async take(key, capacity, windowMs, want) {
      // Hits are added in full even past capacity (the window is full either way); what this caller
      // got is what was left before its own addition.
      const { rows } = await sql<{ hits: number | string; bucket: string | number; left_ms: number | string }>`
        WITH t AS (SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
        INSERT INTO api_throttle (org_id, scope, bucket, hits)
        SELECT 0, ${key}, t.ms / ${windowMs}::bigint, ${want}::int FROM t
        ON CONFLICT (org_id, scope, bucket) DO UPDATE SET hits = api_throttle.hits + excluded.hits
        RETURNING hits, bucket, ${windowMs}::bigint - (SELECT ms FROM t) % ${windowMs}::bigint AS left_ms`.execute(db);
      const hits = Number(rows[0].hits);
      const bucket = Number(rows[0].bucket);
      const before = hits - want;
      const granted = Math.max(0, Math.min(want, capacity - before));
      // old windows are useless: prune now and then, in its own statement (never in the upsert's,
      // where two processes could lock the same rows in opposite orders)
      const pruned = lastPrune.get(key) ?? 0;
      if (bucket - pruned >= 30) {
        lastPrune.set(key, bucket);
        await sql`DELETE FROM api_throttle WHERE org_id = 0 AND scope = ${key} AND bucket < ${bucket - 1}`.execute(db);
      }
      return { granted, msLeft: Math.max(1, Number(rows[0].left_ms)), window: bucket };
    },
  };
}

let sharedStore: RateLimitStore | null = null;

/**
 * Makes limiters created without an explicit store share their counts through this database (the
 * job workers call it once with the application database); null goes back to per-process limits.
 */
export function shareChannelRateLimits(db: Kysely<any> | null): void {
  sharedStore = db ? databaseRateLimitStore(db) : null;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

interface Lease {
  tokens: number;
  /** Local clock time at which the window the tokens belong to ends. */
  expiresAt: number;
  /** Callers waiting for a token of this channel (how many tokens to ask for). */
  waiting: number;
  refill: Promise<boolean> | null;
}

export class ChannelRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly leases = new Map<string, Lease>();

  /**
   * `store`: undefined uses the store registered with shareChannelRateLimits at the time of each
   * acquire (per-process limits when none is); null always limits per process.
   */
  constructor(
    private readonly defaultTps = 10,
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly store?: RateLimitStore | null,
  ) {}

  /** The channel's rate: config `tps` when a positive number, else the default. */
  rateFor(channel: Channel): number {
    const v = Number(channel.config.tps);
    return Number.isFinite(v) && v > 0 ? v : this.defaultTps;
  }

  /** Local mode: takes a token now if one is available and returns 0; else returns how many ms until one is. */
  tryAcquire(channel: Channel): number {
    const rate = this.rateFor(channel);
    const now = this.clock();
    const b = this.buckets.get(channel.uuid) ?? { tokens: rate, updatedAt: now };
    // refill; the burst is one second's worth of messages
    b.tokens = Math.min(rate, b.tokens + ((now - b.updatedAt) / 1000) * rate);
    b.updatedAt = now;
    this.buckets.set(channel.uuid, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / rate) * 1000);
  }

  /** Waits until the channel may send one more message. */
  async acquire(channel: Channel): Promise<void> {
    const store = this.store === undefined ? sharedStore : this.store;
    if (store) return this.acquireShared(channel, store);
    return this.acquireLocal(channel);
  }

  private async acquireLocal(channel: Channel): Promise<void> {
    for (;;) {
      const wait = this.tryAcquire(channel);
      if (wait === 0) return;
      await this.sleep(wait);
    }
  }

  private async acquireShared(channel: Channel, store: RateLimitStore): Promise<void> {
    const lease = this.leases.get(channel.uuid) ?? { tokens: 0, expiresAt: 0, waiting: 0, refill: null };
    this.leases.set(channel.uuid, lease);
    lease.waiting++;
    try {
      for (;;) {
        if (lease.tokens > 0 && this.clock() < lease.expiresAt) {
          lease.tokens--;
          return;
        }
        // one refill at a time per channel: the other callers wait for it
        lease.refill ??= this.refill(channel, store, lease).finally(() => {
          lease.refill = null;
        });
        if (!(await lease.refill)) return this.acquireLocal(channel);
      }
    } finally {
      lease.waiting--;
    }
  }

  /** Leases tokens for the current window; when there are none, sleeps until the next window. */
  private async refill(channel: Channel, store: RateLimitStore, lease: Lease): Promise<boolean> {
    const rate = this.rateFor(channel);
    // a rate under 1/s counts over a longer window (e.g. 0.5 tps: one message per 2-second window)
    const windowMs = rate >= 1 ? 1000 : Math.ceil(1000 / rate);
    const capacity = Math.max(1, Math.floor((rate * windowMs) / 1000));
    const want = Math.min(capacity, Math.max(lease.waiting, Math.ceil(capacity / 4)));
    let r: RateLimitTake;
    try {
      r = await store.take(`channel.tps:${channel.uuid}`, capacity, windowMs, want);
    } catch {
      // the counter is unavailable (database restarting): keep sending, limited per process
      return false;
    }
    const now = this.clock();
    lease.tokens = r.granted;
    lease.expiresAt = now + r.msLeft;
    if (r.granted === 0) await this.sleep(r.msLeft);
    return true;
  }
}
