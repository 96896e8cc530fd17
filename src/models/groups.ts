import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { activeNameTaken, countActive } from './workspace-objects.ts';

/**
 * Contact groups. `group_type`: M manual, Q smart (query based), A/B/S/V the internal status groups
 * (active, blocked, stopped, archived) which are never exposed. `status`: I initializing (never
 * listed), E evaluating, R ready, V invalid. Every workspace has the system smart group
 * "Open Tickets" (listed, read-only).
 */
export const GROUP_STATUSES: Record<string, string> = { I: 'initializing', E: 'evaluating', R: 'ready', V: 'invalid' };
export const MANUAL = 'M';
export const SMART = 'Q';

export interface GroupRow {
  id: number;
  uuid: string;
  name: string;
  group_type: string;
  query: string | null;
  status: string;
  is_system: boolean;
  created_on: string;
}

const COLUMNS = ['id', 'uuid', 'name', 'group_type', 'query', 'status', 'is_system', 'created_on'] as const;

/** Active manual and smart groups of a workspace (what the API can address). */
export function groupsQuery(db: Kysely<DB>, orgId: number) {
  return db
    .selectFrom('contact_groups as g')
    .select(COLUMNS.map((c) => `g.${c}` as const))
    .where('g.org_id', '=', orgId)
    .where('g.is_active', '=', true)
    .where('g.group_type', 'in', [MANUAL, SMART]);
}

/** What GET lists: as groupsQuery, without groups still initializing. */
export function listedGroupsQuery(db: Kysely<DB>, orgId: number) {
  return groupsQuery(db, orgId).where('g.status', '!=', 'I');
}

export async function findGroupByUuid(db: Kysely<DB>, orgId: number, uuid: string): Promise<GroupRow | undefined> {
  return (await groupsQuery(db, orgId).where('g.uuid', '=', uuid).executeTakeFirst()) as GroupRow | undefined;
}

/** Member counts of the given groups (rows of the membership table; inactive contacts leave all groups). */
export async function groupMemberCounts(db: Kysely<DB>, groupIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>(groupIds.map((id) => [id, 0]));
  if (!groupIds.length) return counts;
  const rows = await db
    .selectFrom('contact_groups_contacts')
    .select(['group_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('group_id', 'in', groupIds)
    .groupBy('group_id')
    .execute();
  for (const r of rows) counts.set(Number(r.group_id), Number(r.n));
  return counts;
}

/** Groups counted against the workspace limit: active and not system (status groups, Open Tickets). */
export async function countUserGroups(db: Kysely<DB>, orgId: number): Promise<number> {
  return countActive(db, 'contact_groups', orgId, { excludeSystem: true });
}

/** Whether an active group (status and system groups included) has this name, ignoring case. */
export async function groupNameTaken(db: Kysely<DB>, orgId: number, name: string, exceptId?: number): Promise<boolean> {
  return activeNameTaken(db, 'contact_groups', orgId, name, exceptId);
}

/** A new, empty manual group (ready at once: there is nothing to evaluate). */
export async function createManualGroup(db: Kysely<DB>, orgId: number, name: string): Promise<GroupRow> {
  return (await db
    .insertInto('contact_groups')
    .values({ uuid: randomUUID(), org_id: orgId, name, group_type: MANUAL, status: 'R' })
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as GroupRow;
}

export async function renameGroup(db: Kysely<DB>, orgId: number, id: number, name: string): Promise<GroupRow> {
  return (await db
    .updateTable('contact_groups')
    .set({ name, modified_on: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as GroupRow;
}

/**
 * Soft-deletes a group and removes its memberships, bumping the former members' modified_on so that
 * clients syncing contacts by modified_on see the change — one transaction, a fixed number of
 * statements whatever the group's size. Archived triggers that named the group forget it.
 */
export async function deleteGroup(db: Kysely<DB>, orgId: number, id: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const group = await tx
      .updateTable('contact_groups')
      .set({ is_active: false, modified_on: sql`now()` })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('is_system', '=', false)
      .returning('id')
      .executeTakeFirst();
    if (!group) return;
    await sql`
      WITH removed AS (DELETE FROM contact_groups_contacts WHERE group_id = ${id} RETURNING contact_id)
      UPDATE contacts SET modified_on = clock_timestamp()
       WHERE org_id = ${orgId} AND id IN (SELECT contact_id FROM removed)`.execute(tx);
    await sql`
      UPDATE triggers SET group_ids = array_remove(group_ids, ${id}::bigint),
             exclude_group_ids = array_remove(exclude_group_ids, ${id}::bigint), modified_on = clock_timestamp()
       WHERE org_id = ${orgId} AND (${id}::bigint = ANY(group_ids) OR ${id}::bigint = ANY(exclude_group_ids))`.execute(tx);
  });
}

/**
 * What keeps a group from being deleted, as RapidPro checks it: a trigger that is not archived and
 * runs only for the group's members, else a campaign that is not archived and runs on the group.
 */
export async function groupDeleteBlocker(db: Kysely<DB>, orgId: number, id: number): Promise<'triggers' | 'campaigns' | null> {
  const trigger = await db
    .selectFrom('triggers')
    .select('id')
    .where('org_id', '=', orgId)
    .where('is_active', '=', true)
    .where('is_archived', '=', false)
    .where(sql<boolean>`${id}::bigint = ANY(group_ids)`)
    .executeTakeFirst();
  if (trigger) return 'triggers';
  const campaign = await db
    .selectFrom('campaigns')
    .select('id')
    .where('org_id', '=', orgId)
    .where('group_id', '=', id)
    .where('is_active', '=', true)
    .where('is_archived', '=', false)
    .executeTakeFirst();
  return campaign ? 'campaigns' : null;
}
