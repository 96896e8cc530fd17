import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Workspace-owned tables with a name, an is_active flag (and, for some, an is_system flag). */
type NamedTable = 'contact_fields' | 'globals' | 'contact_groups' | 'msg_labels' | 'topics';

/**
 * Active objects of a workspace, as counted against its limits: system objects (status groups,
 * "Open Tickets", "General", created_on/last_seen_on) never count.
 */
export async function countActive(db: Kysely<DB>, table: NamedTable, orgId: number, opts: { excludeSystem?: boolean } = {}): Promise<number> {
  const system = opts.excludeSystem ? sql`AND NOT is_system` : sql``;
  const r = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE org_id = ${orgId} AND is_active ${system}`.execute(db);
  return Number(r.rows[0].n);
}

/** Whether another active object of the workspace already has this name, ignoring case. */
export async function activeNameTaken(db: Kysely<DB>, table: NamedTable, orgId: number, name: string, exceptId?: number): Promise<boolean> {
  const except = exceptId === undefined ? sql`` : sql`AND id <> ${exceptId}`;
  const r = await sql`SELECT 1 FROM ${sql.table(table)} WHERE org_id = ${orgId} AND is_active AND lower(name) = ${name.toLowerCase()} ${except} LIMIT 1`.execute(db);
  return r.rows.length > 0;
}
