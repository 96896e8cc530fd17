import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { activeNameTaken, countActive } from './workspace-objects.ts';

export const FIELD_TYPES = ['text', 'number', 'datetime', 'state', 'district', 'ward'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
/** The deprecated `value_type` spellings (only number differs). */
export const LEGACY_VALUE_TYPES = ['text', 'numeric', 'datetime', 'state', 'district', 'ward'] as const;
export const RESERVED_FIELD_KEYS = ['has', 'is', 'fields', 'urns', 'created_on', 'last_seen_on'] as const;

export interface FieldRow {
  id: number;
  uuid: string;
  key: string;
  name: string;
  value_type: FieldType;
  show_in_table: boolean;
  priority: number;
  agent_access: string;
  is_system: boolean;
  created_on: string;
}

const COLUMNS = ['id', 'uuid', 'key', 'name', 'value_type', 'show_in_table', 'priority', 'agent_access', 'is_system', 'created_on'] as const;

/** User fields of a workspace (system fields such as created_on are never listed). */
export function userFieldsQuery(db: Kysely<DB>, orgId: number) {
  return db
    .selectFrom('contact_fields as f')
    .select(COLUMNS.map((c) => `f.${c}` as const))
    .where('f.org_id', '=', orgId)
    .where('f.is_active', '=', true)
    .where('f.is_system', '=', false);
}

export async function findFieldByKey(db: Kysely<DB>, orgId: number, key: string): Promise<FieldRow | undefined> {
  return (await userFieldsQuery(db, orgId).where('f.key', '=', key).executeTakeFirst()) as FieldRow | undefined;
}

export async function countUserFields(db: Kysely<DB>, orgId: number): Promise<number> {
  return countActive(db, 'contact_fields', orgId, { excludeSystem: true });
}

/** Whether an active field (system ones included) already has this name, ignoring case. */
export async function fieldNameTaken(db: Kysely<DB>, orgId: number, name: string, exceptId?: number): Promise<boolean> {
  return activeNameTaken(db, 'contact_fields', orgId, name, exceptId);
}

export async function createField(db: Kysely<DB>, orgId: number, key: string, name: string, type: FieldType): Promise<FieldRow> {
  return (await db
    .insertInto('contact_fields')
    .values({ uuid: randomUUID(), org_id: orgId, key, name, value_type: type })
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as FieldRow;
}

export async function updateField(db: Kysely<DB>, orgId: number, id: number, name: string, type: FieldType): Promise<FieldRow> {
  return (await db
    .updateTable('contact_fields')
    .set({ name, value_type: type, modified_on: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as FieldRow;
}
