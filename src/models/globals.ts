import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { activeNameTaken, countActive } from './workspace-objects.ts';

/**
 * Globals: workspace-wide named constants used in flows (`@globals.<key>`). The key is generated
 * from the name once and never changes; only the value is ever updated.
 */
export const MAX_GLOBAL_NAME_LENGTH = 36;
export const MAX_GLOBAL_VALUE_LENGTH = 10_000;
const NAME_PATTERN = /^[A-Za-z0-9_\- ]+$/;

export function isValidGlobalName(name: string): boolean {
  return NAME_PATTERN.test(name) && name.length <= MAX_GLOBAL_NAME_LENGTH;
}

export interface GlobalRow {
  id: number;
  uuid: string;
  key: string;
  name: string;
  value: string;
  modified_on: string;
}

const COLUMNS = ['id', 'uuid', 'key', 'name', 'value', 'modified_on'] as const;

/** Active globals of a workspace. */
export function globalsQuery(db: Kysely<DB>, orgId: number) {
  return db
    .selectFrom('globals as g')
    .select(COLUMNS.map((c) => `g.${c}` as const))
    .where('g.org_id', '=', orgId)
    .where('g.is_active', '=', true);
}

export async function findGlobalByKey(db: Kysely<DB>, orgId: number, key: string): Promise<GlobalRow | undefined> {
  return (await globalsQuery(db, orgId).where('g.key', '=', key).executeTakeFirst()) as GlobalRow | undefined;
}

/** Every active global of a workspace, by key (what the flow engine loads as assets). */
export async function listGlobals(db: Kysely<DB>, orgId: number): Promise<GlobalRow[]> {
  return (await globalsQuery(db, orgId).orderBy('g.key').execute()) as GlobalRow[];
}

export async function countGlobals(db: Kysely<DB>, orgId: number): Promise<number> {
  return countActive(db, 'globals', orgId);
}

/** Whether another active global already has this name, ignoring case. */
export async function globalNameTaken(db: Kysely<DB>, orgId: number, name: string, exceptId?: number): Promise<boolean> {
  return activeNameTaken(db, 'globals', orgId, name, exceptId);
}

/**
 * Creates a global, or — when an active global already has this key (a different name can
 * generate the same key) — sets that global's value instead and returns it, as RapidPro does.
 * One statement, so two concurrent creates of the same key cannot both insert.
 */
export async function createOrUpdateGlobal(db: Kysely<DB>, orgId: number, key: string, name: string, value: string): Promise<GlobalRow> {
  return (await db
    .insertInto('globals')
    .values({ uuid: randomUUID(), org_id: orgId, key, name, value })
    .onConflict((oc) =>
      oc
        .columns(['org_id', 'key'])
        .where('is_active', '=', true)
        .doUpdateSet({ value: (eb) => eb.ref('excluded.value'), modified_on: sql`now()` }),
    )
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as GlobalRow;
}

export async function updateGlobalValue(db: Kysely<DB>, orgId: number, id: number, value: string): Promise<GlobalRow> {
  return (await db
    .updateTable('globals')
    .set({ value, modified_on: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as GlobalRow;
}
