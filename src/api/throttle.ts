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

/** Parses `<n>/<period>` where the period's first letter is s, m, h or d. */
export function parseRate(rate: string): { limit: number; windowSeconds: number } | null {
  const m = /^\s*(\d+)\s*\/\s*([smhd])/i.exec(rate);
  if (!m) return null;
  return { limit: Number(m[1]), windowSeconds: PERIODS[m[2].toLowerCase()] };
}

/**
 * Per-workspace sliding-window throttle kept in the database, so every server process shares it.
 * Hits are counted in buckets of 1/3600 of the window (one second for hourly rates); one statement
 * both reads the window and records the hit when it is allowed.
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
  const bucketMs = Math.max(1000, Math.floor((rate.windowSeconds * 1000) / 3600));
  const bucket = Math.floor(nowMs / bucketMs);
  const windowStart = Math.floor((nowMs - rate.windowSeconds * 1000) / bucketMs);
  const { rows } = await sql<{ hits: string | number; oldest: string | number | null }>`
    WITH w AS (
      SELECT coalesce(sum(hits), 0) AS hits, min(bucket) AS oldest
      FROM api_throttle WHERE org_id = ${orgId} AND scope = ${scope} AND bucket > ${windowStart}
    ), hit AS (
      INSERT INTO api_throttle (org_id, scope, bucket, hits)
      SELECT ${orgId}, ${scope}, ${bucket}, 1 FROM w WHERE w.hits < ${rate.limit}
      ON CONFLICT (org_id, scope, bucket) DO UPDATE SET hits = api_throttle.hits + 1
      RETURNING 1
    )
    SELECT hits, oldest FROM w`.execute(db);
  const hits = Number(rows[0].hits);
  if (hits < rate.limit) {
    // Old buckets are useless once outside the window; prune now and then, never on every request.
    if (bucket % 97 === 0) {
      await db.deleteFrom('api_throttle').where('org_id', '=', orgId).where('scope', '=', scope).where('bucket', '<=', windowStart).execute();
    }
    return;
  }
  const oldestMs = Number(rows[0].oldest) * bucketMs;
  const remaining = rate.windowSeconds * 1000 - (nowMs - oldestMs);
  const wait = Math.max(1, Math.ceil(remaining / 1000 / (rate.limit - hits + 1)));
  throw new ApiError(
    429,
    { detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.` },
    { 'Retry-After': String(wait) },
  );
}
