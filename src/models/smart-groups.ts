import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from './workspaces.ts';
import { getWorkspace } from './workspaces.ts';
import { InvalidInputError } from './errors.ts';
import { compileSearch } from '../search/search.ts';
import { inspectQuery, QueryError, printQuery } from '../engine/contactql/index.ts';

/**
 * Smart (query-based) groups. Membership is kept in contact_groups_contacts like manual groups, so
 * listing, counting and filtering by group cost the same; it is computed in full by a background
 * evaluation when the group is created, and for the changed contacts inside every transaction that
 * changes contacts. Only active contacts are members of any group.
 */
export const EVALUATE_GROUP_JOB = 'evaluate_group';

export class SmartGroupQueryError extends InvalidInputError {
  constructor(readonly queryError: QueryError | null, message: string) {
    super(message);
  }
}

/** Validates a smart group query as RapidPro does and returns its canonical form. */
export async function validateGroupQuery(db: Kysely<DB>, ws: Workspace, text: string): Promise<string> {
  let compiled;
  try {
    compiled = await compileSearch(db, ws, text);
  } catch (e) {
    if (e instanceof QueryError) throw new SmartGroupQueryError(e, e.message);
    throw e;
  }
  const inspection = inspectQuery(compiled.query);
  if (!inspection.allowAsGroup) {
    throw new SmartGroupQueryError(null, 'You cannot create a smart group based on "id" or "group".');
  }
  return printQuery(compiled.query);
}

export interface EnqueueFn {
  (name: string, data: object, opts: { tx: Kysely<DB> }): Promise<unknown>;
}

/**
 * Creates a smart group in status "initializing" and, in the same transaction, the job that
 * evaluates it: the group exists only together with its pending evaluation. Without a job queue
 * (no workers in this process) the evaluation runs right after the group is committed.
 */
export async function createSmartGroup(db: Kysely<DB>, ws: Workspace, name: string, query: string, enqueue: EnqueueFn | null) {
  const canonical = await validateGroupQuery(db, ws, query);
  if (!enqueue) {
    const group = await db
      .insertInto('contact_groups')
      .values({ uuid: randomUUID(), org_id: ws.id, name, group_type: 'Q', query: canonical, status: 'I' })
      .returning(['id', 'uuid', 'name', 'query', 'status'])
      .executeTakeFirstOrThrow();
    await evaluateSmartGroup(db, ws.id, group.id);
    return group;
  }
  return db.transaction().execute(async (tx) => {
    const group = await tx
      .insertInto('contact_groups')
      .values({ uuid: randomUUID(), org_id: ws.id, name, group_type: 'Q', query: canonical, status: 'I' })
      .returning(['id', 'uuid', 'name', 'query', 'status'])
      .executeTakeFirstOrThrow();
    await enqueue(EVALUATE_GROUP_JOB, { orgId: ws.id, groupId: group.id }, { tx });
    return group;
  });
}

/**
 * Evaluates a smart group over the whole workspace: initializing/evaluating → ready, or invalid
 * when its query no longer parses (e.g. a field it used was deleted). Idempotent.
 */
export async function evaluateSmartGroup(db: Kysely<DB>, orgId: number, groupId: number): Promise<void> {
  const ws = await getWorkspace(db, orgId);
  const group = await db
    .selectFrom('contact_groups')
    .select(['id', 'query'])
    .where('org_id', '=', orgId)
    .where('id', '=', groupId)
    .where('is_active', '=', true)
    .where('group_type', '=', 'Q')
    .executeTakeFirst();
  if (!ws || !group?.query) return;
  await db.updateTable('contact_groups').set({ status: 'E' }).where('id', '=', groupId).execute();
  let where;
  try {
    where = (await compileSearch(db, ws, group.query)).where;
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    await db.updateTable('contact_groups').set({ status: 'V', modified_on: sql`now()` }).where('id', '=', groupId).execute();
    return;
  }
  await db.transaction().execute(async (tx) => {
    await sql`DELETE FROM contact_groups_contacts gc USING contacts c
      WHERE gc.group_id = ${groupId} AND c.id = gc.contact_id
        AND NOT (c.is_active AND c.status = 'A' AND ${where})`.execute(tx);
    await sql`INSERT INTO contact_groups_contacts (group_id, contact_id)
      SELECT ${groupId}, c.id FROM contacts c
      WHERE c.org_id = ${orgId} AND c.is_active AND c.status = 'A' AND ${where}
      ON CONFLICT DO NOTHING`.execute(tx);
    await tx.updateTable('contact_groups').set({ status: 'R', modified_on: sql`now()` }).where('id', '=', groupId).execute();
  });
}

/**
 * Brings the smart group memberships of the given contacts up to date; call inside the
 * transaction that changed them (fields, URNs, name, language, status). Inactive or non-active
 * contacts leave every smart group.
 */
export async function refreshSmartGroups(tx: Kysely<DB>, ws: Workspace, contactIds: number[]): Promise<void> {
  if (!contactIds.length) return;
  const groups = await tx
    .selectFrom('contact_groups')
    .select(['id', 'query'])
    .where('org_id', '=', ws.id)
    .where('is_active', '=', true)
    .where('group_type', '=', 'Q')
    .where('status', '!=', 'V')
    // system groups ("Open Tickets") follow tickets, not contact changes
    .where('is_system', '=', false)
    .execute();
  for (const g of groups) {
    if (!g.query) continue;
    let where;
    try {
      where = (await compileSearch(tx, ws, g.query)).where;
    } catch (e) {
      if (e instanceof QueryError) continue; // evaluation will mark it invalid
      throw e;
    }
    await sql`WITH m AS (
        SELECT c.id, (c.is_active AND c.status = 'A' AND ${where}) AS member
        FROM contacts c WHERE c.org_id = ${ws.id} AND c.id = ANY(${contactIds}::bigint[])
      ), removed AS (
        DELETE FROM contact_groups_contacts gc USING m
        WHERE gc.group_id = ${g.id} AND gc.contact_id = m.id AND NOT m.member
      )
      INSERT INTO contact_groups_contacts (group_id, contact_id)
      SELECT ${g.id}, m.id FROM m WHERE m.member
      ON CONFLICT DO NOTHING`.execute(tx);
  }
}
