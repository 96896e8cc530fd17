import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ApiError } from './errors.ts';

export const DEFAULT_RATES: Record<string, string> = {
  v2: '3600/hour',
  'v2.contacts': '3600/hour',
  'v2.messages': '3600/hour',
  'v2.runs': '3600/hour',
};

const PERIODS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** How stale this process's view of a bucket's hits may get before it re-reads the database. */
export const THROTTLE_SYNC_MS = 250;

/** Parses `<n>/<period>` where the period's first letter is s, m, h or d. */
export function parseRate(rate: string): { limit: number; windowSeconds: number } | null {
  const m = /^\s*(\d+)\s*\/\s*([smhd])/i.exec(rate);
  if (!m) return null;
  return { limit: Number(m[1]), windowSeconds: PERIODS[m[2].toLowerCase()] };
}

/**
 * What this process knows of one (workspace, scope) window: the hits the database held at the last
 * sync (other processes' included), the hits being written by a sync in flight, and the hits
 * accepted here since. Their sum is never less than the true count as far as this process is
 * concerned, so a single process throttles exactly; several processes see each other's hits at
 * most THROTTLE_SYNC_MS late.
 */
interface Window {
  windowSeconds: number;
  bucketMs: number;
  known: number;
  /** Oldest bucket (epoch ms) holding hits in the database at the last sync, or null. */
  oldestMs: number | null;
  inflight: number;
  pending: number;
  /** When the first still-unwritten hit was accepted (for Retry-After before any sync). */
  pendingSinceMs: number | null;
  syncedAt: number;
  syncing: Promise<void> | null;
  timer: NodeJS.Timeout | null;
}

/** Per database handle (so separate databases in one process never share state), per org and scope. */
const windowsByDb = new WeakMap<Kysely<DB>, Map<string, Window>>();

/**
 * Writes the hits accepted since the last sync into the current time bucket and reads back the
 * window's total and oldest bucket: one statement.
 */
async function sync(db: Kysely<DB>, orgId: number, scope: string, w: Window): Promise<void> {
  const nowMs = Date.now();
  const n = w.pending;
  w.pending = 0;
  w.inflight += n;
  const since = w.pendingSinceMs;
  w.pendingSinceMs = null;
  const bucket = Math.floor(nowMs / w.bucketMs);
  const windowStart = Math.floor((nowMs - w.windowSeconds * 1000) / w.bucketMs);
  try {
    const { rows } = await sql<{ hits: string | number; oldest: string | number | null }>`
      WITH hit AS (
        INSERT INTO api_throttle (org_id, scope, bucket, hits)
        SELECT ${orgId}, ${scope}, ${bucket}, ${n} WHERE ${n} > 0
        ON CONFLICT (org_id, scope, bucket) DO UPDATE SET hits = api_throttle.hits + excluded.hits
        RETURNING bucket
      ), w AS (
        SELECT coalesce(sum(hits), 0) AS hits, min(bucket) AS oldest
        FROM api_throttle WHERE org_id = ${orgId} AND scope = ${scope} AND bucket > ${windowStart}
      )
      -- the CTE's insert is not visible to the window read of the same statement: add it back
      SELECT w.hits + ${n} AS hits, least(w.oldest, (SELECT min(bucket) FROM hit)) AS oldest FROM w`.execute(db);
    w.known = Number(rows[0].hits);
    w.oldestMs = rows[0].oldest === null ? null : Number(rows[0].oldest) * w.bucketMs;
    w.syncedAt = nowMs;
    // Old buckets are useless once outside the window; prune now and then, never on every sync.
    if (bucket % 97 === 0) {
      await db.deleteFrom('api_throttle').where('org_id', '=', orgId).where('scope', '=', scope).where('bucket', '<=', windowStart).execute();
    }
  } catch (e) {
    // Not written: keep the hits for the next sync.
    w.pending += n;
    w.pendingSinceMs = since ?? w.pendingSinceMs;
    throw e;
  } finally {
    w.inflight -= n;
  }
}

function startSync(db: Kysely<DB>, orgId: number, scope: string, w: Window): Promise<void> {
  if (!w.syncing) {
    w.syncing = sync(db, orgId, scope, w).finally(() => {
      w.syncing = null;
    });
  }
  return w.syncing;
}

/** Makes sure hits accepted here reach the database within THROTTLE_SYNC_MS even if traffic stops. */
function scheduleFlush(db: Kysely<DB>, orgId: number, scope: string, w: Window): void {
  if (w.timer) return;
  w.timer = setTimeout(() => {
    w.timer = null;
    if (w.pending > 0) startSync(db, orgId, scope, w).catch(() => scheduleFlush(db, orgId, scope, w));
  }, THROTTLE_SYNC_MS);
  w.timer.unref();
}

/**
 * Per-workspace sliding-window throttle whose state lives in the database, so every server process
 * shares it. Hits are counted in buckets of 1/3600 of the window (one second for hourly rates).
 * The database is read and written in batches (at most every THROTTLE_SYNC_MS per workspace and
 * scope, and never more than one statement at a time), not on every request: a request is decided
 * against this process's view of the window, which counts its own hits exactly.
 */
export async function throttle(
  db: Kysely<DB>,
  orgId: number,
  scope: string,
  overrides: Record<string, string>,
  nowMs: number = Date.now(),
): Promise<void> {
  const rate = parseRate(overrides[scope] ?? DEFAULT_RATES[scope] ?? DEFAULT_RATES.v2);
  if (!rate) return;
  let windows = windowsByDb.get(db);
  if (!windows) windowsByDb.set(db, (windows = new Map()));
  const id = `${orgId}:${scope}`;
  let w = windows.get(id);
  if (!w || w.windowSeconds !== rate.windowSeconds) {
    w = {
      windowSeconds: rate.windowSeconds,
      bucketMs: Math.max(1000, Math.floor((rate.windowSeconds * 1000) / 3600)),
      known: 0,
      oldestMs: null,
      inflight: 0,
      pending: 0,
      pendingSinceMs: null,
      syncedAt: 0,
      syncing: null,
      timer: null,
    };
    windows.set(id, w);
  }
  if (w.syncedAt === 0) {
    // Never read yet (or the first read failed): everyone waits for it.
    await startSync(db, orgId, scope, w);
  } else if (nowMs - w.syncedAt >= THROTTLE_SYNC_MS) {
    // Stale: refresh in the background and decide now on what we know (our own hits are exact).
    startSync(db, orgId, scope, w).catch(() => scheduleFlush(db, orgId, scope, w!));
  }

  const hits = w.known + w.inflight + w.pending;
  if (hits < rate.limit) {
    if (w.pending === 0) w.pendingSinceMs = nowMs;
    w.pending++;
    scheduleFlush(db, orgId, scope, w);
    return;
  }
  const oldestMs = Math.min(w.oldestMs ?? Infinity, w.pendingSinceMs ?? Infinity);
  const remaining = Number.isFinite(oldestMs) ? rate.windowSeconds * 1000 - (nowMs - oldestMs) : rate.windowSeconds * 1000;
  const wait = Math.max(1, Math.ceil(remaining / 1000 / Math.max(1, rate.limit - hits + 1)));
  throw new ApiError(
    429,
    { detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.` },
    { 'Retry-After': String(wait) },
  );
}
