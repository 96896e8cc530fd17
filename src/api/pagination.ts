import type { FastifyRequest } from 'fastify';
import { sql, type SelectQueryBuilder } from 'kysely';
import { DateTime } from 'luxon';
import { detail } from './errors.ts';
import { param } from './params.ts';

export const PAGE_SIZE = 250;

const TIMESTAMP = /^(?!0000)\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** A position in a keyset ordering: the boundary row's order value and id, and the direction. */
interface Cursor {
  position: string;
  id: number;
  reverse: boolean;
}

function encodeCursor(c: Cursor): string {
  const q = new URLSearchParams({ p: c.position, i: String(c.id) });
  if (c.reverse) q.set('r', '1');
  return Buffer.from(q.toString(), 'utf8').toString('base64');
}

function decodeCursor(raw: string): Cursor {
  const invalid = detail(404, 'Invalid cursor');
  if (!/^[A-Za-z0-9+/=_-]+$/.test(raw)) throw invalid;
  const q = new URLSearchParams(Buffer.from(raw, 'base64').toString('utf8'));
  const position = q.get('p');
  const rawId = q.get('i');
  const id = Number(rawId);
  if (position === null || position.length > 64 || rawId === null || !/^\d+$/.test(rawId) || !Number.isSafeInteger(id)) throw invalid;
  return { position, id, reverse: q.get('r') === '1' };
}

/** The request's absolute URL with `cursor` replaced, other parameters kept (sorted, as DRF does). */
export function absoluteUrl(req: FastifyRequest, replace: Record<string, string | null>): string {
  const url = new URL(req.url, `${req.protocol}://${req.headers.host ?? 'localhost'}`);
  const entries: [string, string][] = [];
  for (const [k, v] of url.searchParams) if (!(k in replace)) entries.push([k, v]);
  for (const [k, v] of Object.entries(replace)) if (v !== null) entries.push([k, v]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const qs = new URLSearchParams(entries).toString();
  return `${url.protocol}//${url.host}${url.pathname}${qs ? `?${qs}` : ''}`;
}

export interface Page<R> {
  next: string | null;
  previous: string | null;
  results: R[];
}

export interface KeysetSpec {
  /** The ordering column as SQL (qualified), e.g. `f.created_on`; a timestamptz or text column. */
  orderColumn: string;
  /** SQL type of the ordering column, for casting the cursor position. */
  orderType?: 'timestamptz' | 'text';
  /** The id column used to break ties, e.g. `f.id`. */
  idColumn: string;
  /** Newest first (RapidPro's default) unless ascending. */
  ascending?: boolean;
  /** Reads the order value and id back from a selected row (select them as `_order` and `_id`). */
}

/**
 * Cursor pagination shared by every list endpoint: a fixed page size, keyset conditions on
 * (order column, id) so deep pages cost the same as the first, and absolute next/previous links
 * that keep the request's filters. The query must select the order value as `_order` (text) and
 * the id as `_id`.
 */
export async function paginate<DB, TB extends keyof DB, R extends { _order: string; _id: number }>(
  req: FastifyRequest,
  query: SelectQueryBuilder<DB, TB, R>,
  spec: KeysetSpec,
): Promise<Page<R>> {
  const raw = param(req, 'cursor');
  const cursor = raw ? decodeCursor(raw) : null;
  // a position that is not a timestamp would make the cast below fail in SQL (a 500)
  if (cursor && (spec.orderType ?? 'timestamptz') === 'timestamptz' && (!TIMESTAMP.test(cursor.position) || !DateTime.fromISO(cursor.position.replace(' ', 'T'), { setZone: true }).isValid)) throw detail(404, 'Invalid cursor');
  const walkBackwards = cursor?.reverse ?? false;
  // Direction of this query: the endpoint's order, flipped when walking to a previous page.
  const descending = !spec.ascending !== walkBackwards;
  const col = sql.ref(spec.orderColumn);
  const id = sql.ref(spec.idColumn);
  const cast = sql.raw(spec.orderType ?? 'timestamptz');
  let q = query as SelectQueryBuilder<any, any, R>;
  if (cursor) {
    q = descending
      ? q.where(sql<boolean>`(${col}, ${id}) < (${cursor.position}::${cast}, ${cursor.id})`)
      : q.where(sql<boolean>`(${col}, ${id}) > (${cursor.position}::${cast}, ${cursor.id})`);
  }
  const dir = descending ? sql`DESC` : sql`ASC`;
  q = q.orderBy(sql`${col} ${dir}`).orderBy(sql`${id} ${dir}`).limit(PAGE_SIZE + 1);
  let rows = await q.execute();
  const more = rows.length > PAGE_SIZE;
  if (more) rows = rows.slice(0, PAGE_SIZE);
  if (walkBackwards) rows.reverse();

  const link = (row: R, reverse: boolean) =>
    absoluteUrl(req, { cursor: encodeCursor({ position: row._order, id: row._id, reverse }) });
  const first = rows[0];
  const last = rows[rows.length - 1];
  let next: string | null = null;
  let previous: string | null = null;
  if (walkBackwards) {
    next = last ? link(last, false) : null;
    previous = more && first ? link(first, true) : null;
  } else {
    next = more && last ? link(last, false) : null;
    previous = cursor && first ? link(first, true) : null;
  }
  return { next, previous, results: rows };
}
