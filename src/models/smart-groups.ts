import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from './workspaces.ts';
import { getWorkspace } from './workspaces.ts';
import { InvalidInputError } from './errors.ts';
import type { FieldRow } from './fields.ts';
import { compileSearch, queryEnvironment } from '../search/search.ts';
import { compileQuery } from '../search/compile.ts';
import {
  evaluateQuery, inspectQuery, parseQuery, printQuery, QueryError, staticResolver,
  type ContactQuery, type QueryableContact, type QueryInspection,
} from '../engine/contactql/index.ts';

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

/** A smart group as contact writes see it. */
export interface SmartGroupDef {
  id: number;
  uuid: string;
  name: string;
  query: string;
}

/** The smart groups whose membership follows contact changes (not invalid ones, nor system ones). */
export async function loadSmartGroups(db: Kysely<DB>, orgId: number): Promise<SmartGroupDef[]> {
  return (await db
    .selectFrom('contact_groups')
    .select(['id', 'uuid', 'name', 'query'])
    .where('org_id', '=', orgId)
    .where('is_active', '=', true)
    .where('group_type', '=', 'Q')
    .where('status', '!=', 'V')
    // system groups ("Open Tickets") follow tickets, not contact changes
    .where('is_system', '=', false)
    .where('query', 'is not', null)
    .orderBy('id')
    .execute()) as SmartGroupDef[];
}

interface ParsedGroup {
  query: ContactQuery;
  inspection: QueryInspection;
  where: RawBuilder<SqlBool>;
}

// Parsing and compiling a group query is pure given the workspace settings and its fields, so it is
// done once per (group, query, fields) rather than once per contact write. Bounded: cleared when full.
const parsedGroups = new Map<string, ParsedGroup | null>();
const MAX_PARSED = 2000;

function parseGroup(ws: Workspace, fields: FieldRow[], g: SmartGroupDef): ParsedGroup | null {
  // `now` only pivots two-digit years, hence the year in the key
  const key = [
    ws.id, ws.timezone, ws.dateStyle, ws.country, ws.isAnon, new Date().getUTCFullYear(), g.id, g.query,
    fields.map((f) => `${f.id}:${f.key}:${f.value_type}`).join(','),
  ].join('|');
  let parsed = parsedGroups.get(key);
  if (parsed !== undefined) return parsed;
  try {
    // smart group queries cannot name groups or flows, so only fields are resolved
    const resolver = staticResolver({ fields: fields.map((f) => ({ key: f.key, type: f.value_type, name: f.name, uuid: f.uuid })) });
    const query = parseQuery(g.query, queryEnvironment(ws), resolver);
    parsed = { query, inspection: inspectQuery(query), where: compileQuery(query, { orgId: ws.id, fieldIds: new Map(fields.map((f) => [f.key, f.id])) }) };
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    parsed = null; // evaluation will mark it invalid
  }
  if (parsedGroups.size >= MAX_PARSED) parsedGroups.clear();
  parsedGroups.set(key, parsed);
  return parsed;
}

/**
 * What a contact write changed, for deciding which smart groups could be affected. Absent means
 * anything may have changed (status, deletion, unknown writers): every group is re-evaluated.
 */
export interface ContactChangeSet {
  /** contact attributes (`name`, `language`, ...) */
  attributes?: string[];
  /** field keys */
  fields?: string[];
  /** the URN list */
  urns?: boolean;
}

function affectedBy(p: ParsedGroup, changed: ContactChangeSet | undefined): boolean {
  if (!changed) return true;
  const { attributes, schemes, fields } = p.inspection;
  if (changed.urns && (schemes.length || attributes.includes('urn'))) return true;
  if (attributes.some((a) => changed.attributes?.includes(a))) return true;
  return fields.some((f) => changed.fields?.includes(f.key));
}

/**
 * The smart groups a contact known in full (a new one) belongs to, evaluated in memory as the
 * engine does — no statement. `src/search/compile.test.ts` keeps this evaluator and the SQL
 * compiler in agreement, so later SQL refreshes reach the same answer.
 */
export function smartGroupsMatching(ws: Workspace, fields: FieldRow[], groups: SmartGroupDef[], contact: QueryableContact): SmartGroupDef[] {
  if (!groups.length || (contact.status && contact.status !== 'active')) return [];
  const env = queryEnvironment(ws);
  return groups.filter((g) => {
    const p = parseGroup(ws, fields, g);
    return p !== null && evaluateQuery(p.query, contact, env);
  });
}

/**
 * Brings the smart group memberships of the given contacts up to date; call inside the
 * transaction that changed them (fields, URNs, name, language, status). Inactive or non-active
 * contacts leave every smart group. One statement for every group and contact (plus one reading
 * the groups and fields unless the caller has them); with `changed`, only groups whose query looks
 * at what changed are evaluated, and none at all costs nothing.
 */
export async function refreshSmartGroups(
  tx: Kysely<DB>,
  ws: Workspace,
  contactIds: number[],
  opts: { changed?: ContactChangeSet; known?: { fields: FieldRow[]; smartGroups: SmartGroupDef[] } } = {},
): Promise<void> {
  if (!contactIds.length) return;
  const { changed } = opts;
  if (changed && !changed.urns && !changed.attributes?.length && !changed.fields?.length) return;
  let known = opts.known;
  if (!known) {
    const [fields, smartGroups] = await Promise.all([
      tx
        .selectFrom('contact_fields as f')
        .select(['f.id', 'f.uuid', 'f.key', 'f.name', 'f.value_type'])
        .where('f.org_id', '=', ws.id)
        .where('f.is_active', '=', true)
        .where('f.is_system', '=', false)
        .execute() as Promise<FieldRow[]>,
      loadSmartGroups(tx, ws.id),
    ]);
    known = { fields, smartGroups };
  }
  const { fields } = known;
  const evaluated = known.smartGroups
    .map((g) => ({ g, p: parseGroup(ws, fields, g) }))
    .filter((x): x is { g: SmartGroupDef; p: ParsedGroup } => x.p !== null && affectedBy(x.p, changed));
  if (!evaluated.length) return;
  const ids = sql.raw(`ARRAY[${contactIds.map((i) => Number(i)).join(',')}]::bigint[]`);
  const rows = evaluated.map(
    ({ g, p }) => sql`SELECT ${g.id}::bigint AS group_id, c.id AS contact_id, (c.is_active AND c.status = 'A' AND ${p.where}) AS member
        FROM contacts c WHERE c.org_id = ${ws.id} AND c.id = ANY(${ids})`,
  );
  await sql`WITH m AS (${sql.join(rows, sql` UNION ALL `)}),
      removed AS (
        DELETE FROM contact_groups_contacts gc USING m
        WHERE gc.group_id = m.group_id AND gc.contact_id = m.contact_id AND NOT m.member
      )
      INSERT INTO contact_groups_contacts (group_id, contact_id)
      SELECT m.group_id, m.contact_id FROM m WHERE m.member
      ON CONFLICT DO NOTHING`.execute(tx);
}
