import { randomUUID } from 'node:crypto';
import { IANAZone } from 'luxon';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { InvalidInputError } from './errors.ts';

export type DateStyle = 'day_first' | 'month_first' | 'year_first';
export const DATE_STYLES: DateStyle[] = ['day_first', 'month_first', 'year_first'];

/** The workspace settings every request and serializer needs. */
export interface Workspace {
  id: number;
  uuid: string;
  name: string;
  country: string;
  timezone: string;
  dateStyle: DateStyle;
  languages: string[];
  isAnon: boolean;
  isFlagged: boolean;
  isSuspended: boolean;
  apiRates: Record<string, string>;
  limits: Record<string, number>;
}

export interface NewWorkspace {
  name: string;
  country?: string;
  timezone?: string;
  languages?: string[];
  dateStyle?: DateStyle;
  anon?: boolean;
}

/** Per-workspace object limits (RapidPro's ORG_LIMIT_DEFAULTS), overridable in `orgs.limits`. */
export const LIMIT_DEFAULTS: Record<string, number> = {
  fields: 250,
  globals: 250,
  groups: 250,
  labels: 250,
  topics: 50,
  channels: 10,
};

export function workspaceLimit(ws: Workspace, kind: keyof typeof LIMIT_DEFAULTS): number {
  return ws.limits[kind] ?? LIMIT_DEFAULTS[kind];
}

export function validateNewWorkspace(input: NewWorkspace): void {
  if (!input.name || !input.name.trim()) throw new InvalidInputError('workspace name is required');
  if (input.country && !/^[A-Z]{2}$/.test(input.country)) {
    throw new InvalidInputError(`country must be a two-letter ISO code, got "${input.country}"`);
  }
  if (input.timezone && !IANAZone.isValidZone(input.timezone)) {
    throw new InvalidInputError(`unknown timezone "${input.timezone}"`);
  }
  for (const l of input.languages ?? []) {
    if (!/^[a-z]{3}$/.test(l)) throw new InvalidInputError(`language codes must be ISO 639-3 (three letters), got "${l}"`);
  }
  if (input.dateStyle && !DATE_STYLES.includes(input.dateStyle)) {
    throw new InvalidInputError(`date style must be one of ${DATE_STYLES.join(', ')}`);
  }
}

/** Status groups are internal (never listed); "Open Tickets" is a listed, read-only smart group. */
const SYSTEM_GROUPS: { name: string; type: string; query?: string }[] = [
  { name: 'Active', type: 'A' },
  { name: 'Blocked', type: 'B' },
  { name: 'Stopped', type: 'S' },
  { name: 'Archived', type: 'V' },
  { name: 'Open Tickets', type: 'Q', query: 'tickets > 0' },
];

const SYSTEM_FIELDS = [
  { key: 'created_on', name: 'Created On' },
  { key: 'last_seen_on', name: 'Last Seen On' },
];

/** Creates a workspace with its system objects (fields, groups, the "General" topic, a team). */
export async function createWorkspace(db: Kysely<DB>, input: NewWorkspace): Promise<Workspace> {
  validateNewWorkspace(input);
  return db.transaction().execute(async (tx) => {
    const org = await tx
      .insertInto('orgs')
      .values({
        uuid: randomUUID(),
        name: input.name.trim(),
        country: input.country ?? '',
        timezone: input.timezone ?? 'UTC',
        date_style: input.dateStyle ?? 'day_first',
        languages: input.languages ?? [],
        is_anon: input.anon ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await createSystemObjects(tx, org.id);
    return (await getWorkspace(tx, org.id))!;
  });
}

async function createSystemObjects(tx: Transaction<DB>, orgId: number): Promise<void> {
  await tx
    .insertInto('contact_fields')
    .values(SYSTEM_FIELDS.map((f) => ({ uuid: randomUUID(), org_id: orgId, key: f.key, name: f.name, value_type: 'datetime', is_system: true })))
    .execute();
  await tx
    .insertInto('contact_groups')
    .values(SYSTEM_GROUPS.map((g) => ({ uuid: randomUUID(), org_id: orgId, name: g.name, group_type: g.type, query: g.query ?? null, is_system: true })))
    .execute();
  await tx.insertInto('topics').values({ uuid: randomUUID(), org_id: orgId, name: 'General', is_system: true }).execute();
  await tx.insertInto('teams').values({ uuid: randomUUID(), org_id: orgId, name: 'All Topics', is_system: true }).execute();
}

export function toWorkspace(row: any): Workspace {
  return {
    id: row.id,
    uuid: row.uuid,
    name: row.name,
    country: row.country,
    timezone: row.timezone,
    dateStyle: row.date_style,
    languages: row.languages,
    isAnon: row.is_anon,
    isFlagged: row.is_flagged,
    isSuspended: row.is_suspended,
    apiRates: row.api_rates ?? {},
    limits: row.limits ?? {},
  };
}

export async function getWorkspace(db: Kysely<DB>, id: number): Promise<Workspace | null> {
  const row = await db.selectFrom('orgs').selectAll().where('id', '=', id).where('is_active', '=', true).executeTakeFirst();
  return row ? toWorkspace(row) : null;
}

export async function getWorkspaceByUuid(db: Kysely<DB>, uuid: string): Promise<Workspace | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) return null;
  const row = await db.selectFrom('orgs').selectAll().where('uuid', '=', uuid.toLowerCase()).where('is_active', '=', true).executeTakeFirst();
  return row ? toWorkspace(row) : null;
}

export async function countWorkspaces(db: Kysely<DB>): Promise<number> {
  const r = await db.selectFrom('orgs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Settings a later admin may change (used by tests and the CLI). */
export async function updateWorkspace(
  db: Kysely<DB>,
  id: number,
  changes: Partial<{ isAnon: boolean; isFlagged: boolean; isSuspended: boolean; apiRates: Record<string, string>; limits: Record<string, number> }>,
): Promise<void> {
  await db
    .updateTable('orgs')
    .set({
      ...(changes.isAnon !== undefined && { is_anon: changes.isAnon }),
      ...(changes.isFlagged !== undefined && { is_flagged: changes.isFlagged }),
      ...(changes.isSuspended !== undefined && { is_suspended: changes.isSuspended }),
      ...(changes.apiRates !== undefined && { api_rates: JSON.stringify(changes.apiRates) }),
      ...(changes.limits !== undefined && { limits: JSON.stringify(changes.limits) }),
      modified_on: new Date(),
    })
    .where('id', '=', id)
    .execute();
}
