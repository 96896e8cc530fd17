import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from './workspaces.ts';
import type { FieldRow } from './fields.ts';
import { parseFieldValue, type StoredFieldValue } from './field-values.ts';
import type { Urn } from './urns.ts';
import { smartGroupsMatching, type SmartGroupDef } from './smart-groups.ts';
import { PREPARE } from '../db/statements.ts';

/**
 * The contact aggregate: contacts, their URNs (priority order), typed field values, manual group
 * membership and notes. Shared by the API and (later) the flow runtime. Every function takes the
 * workspace id; every write that touches several rows is meant to run inside the caller's
 * transaction, and costs a fixed number of queries whatever the number of URNs, fields, groups or
 * contacts involved.
 */

type Db = Kysely<DB> | Transaction<DB>;

export const STATUSES = ['active', 'blocked', 'stopped', 'archived'] as const;
export type ContactStatus = (typeof STATUSES)[number];
export const STATUS_BY_CODE: Record<string, ContactStatus> = { A: 'active', B: 'blocked', S: 'stopped', V: 'archived' };
export const CODE_BY_STATUS: Record<ContactStatus, string> = { active: 'A', blocked: 'B', stopped: 'S', archived: 'V' };

/** URN priorities: the first URN gets the highest (RapidPro's 1000, 999, ...). */
export const TOP_PRIORITY = 1000;

export interface ContactRow {
  id: number;
  uuid: string;
  org_id: number;
  name: string | null;
  language: string | null;
  status: string;
  is_active: boolean;
  current_flow_id: number | null;
  created_on: string;
  modified_on: string;
  last_seen_on: string | null;
}

export const CONTACT_COLUMNS = [
  'c.id', 'c.uuid', 'c.org_id', 'c.name', 'c.language', 'c.status', 'c.is_active', 'c.current_flow_id',
  'c.created_on', 'c.modified_on', 'c.last_seen_on',
] as const;

/** A URN as stored, with its channel affinity. */
export interface ContactUrnRow {
  id: number;
  contact_id: number;
  scheme: string;
  path: string;
  identity: string;
  display: string | null;
  priority: number;
  channel_id: number | null;
  channel_uuid: string | null;
  channel_name: string | null;
}

export interface GroupRef {
  id: number;
  uuid: string;
  name: string;
}

export interface ContactNote {
  text: string;
  created_on: string;
  created_by: { email: string; name: string } | null;
}

/** Everything shown for a set of contacts, each loaded with one query for the whole set. */
export interface ContactDetails {
  urns: Map<number, ContactUrnRow[]>;
  groups: Map<number, GroupRef[]>;
  notes: Map<number, ContactNote[]>;
  values: Map<number, Map<number, StoredFieldValue>>;
  /** the flow each contact is currently in */
  flows: Map<number, { uuid: string; name: string }>;
}

export class UrnInUseError extends Error {
  constructor(readonly index: number) {
    super('URN is in use by another contact.');
  }
}

/** The contacts of a workspace, active or deleted. */
export function contactsQuery(db: Db, orgId: number, opts: { deleted?: boolean } = {}) {
  return db
    .selectFrom('contacts as c')
    .select([...CONTACT_COLUMNS])
    .where('c.org_id', '=', orgId)
    .where('c.is_active', '=', !opts.deleted);
}

export async function findContactByUuid(db: Db, orgId: number, uuid: string, opts: { includeDeleted?: boolean } = {}): Promise<ContactRow | undefined> {
  let q = db.selectFrom('contacts as c').select([...CONTACT_COLUMNS]).where('c.org_id', '=', orgId).where('c.uuid', '=', uuid);
  if (!opts.includeDeleted) q = q.where('c.is_active', '=', true);
  return (await q.executeTakeFirst()) as ContactRow | undefined;
}

/** A contact (deleted ones too) by UUID or id, locked for the rest of the caller's transaction. */
export async function lockContact(tx: Db, orgId: number, by: { uuid: string } | { id: number }): Promise<ContactRow | undefined> {
  let q = tx.selectFrom('contacts as c').select([...CONTACT_COLUMNS]).where('c.org_id', '=', orgId);
  q = 'uuid' in by ? q.where('c.uuid', '=', by.uuid) : q.where('c.id', '=', by.id);
  return (await q.forUpdate().executeTakeFirst()) as ContactRow | undefined;
}

/** The active contact owning a URN identity (`scheme:path`). */
export async function findContactByUrn(db: Db, orgId: number, identity: string): Promise<ContactRow | undefined> {
  return (await db
    .selectFrom('contacts as c')
    .innerJoin('contact_urns as u', 'u.contact_id', 'c.id')
    .select([...CONTACT_COLUMNS])
    .where('u.org_id', '=', orgId)
    .where('u.identity', '=', identity)
    .where('c.org_id', '=', orgId)
    .where('c.is_active', '=', true)
    .executeTakeFirst()) as ContactRow | undefined;
}

/**
 * Resolves contact references (UUIDs or URN identities, as given) to active contacts of the
 * workspace in two queries. Returns the contact for each reference, or undefined.
 */
export async function resolveContactRefs(
  db: Db,
  orgId: number,
  refs: { uuid?: string; identity?: string }[],
): Promise<(ContactRow | undefined)[]> {
  // text with NUL characters can match nothing (and PostgreSQL cannot even compare it)
  const usable = (u: string | undefined): u is string => !!u && !u.includes('\0');
  const uuids = [...new Set(refs.map((r) => r.uuid).filter(usable))];
  const identities = [...new Set(refs.map((r) => r.identity).filter(usable))];
  const byUuid = new Map<string, ContactRow>();
  const byIdentity = new Map<string, ContactRow>();
  if (uuids.length) {
    const rows = await contactsQuery(db, orgId).where('c.uuid', 'in', uuids).execute();
    for (const r of rows as ContactRow[]) byUuid.set(r.uuid, r);
  }
  if (identities.length) {
    const rows = await db
      .selectFrom('contacts as c')
      .innerJoin('contact_urns as u', 'u.contact_id', 'c.id')
      .select([...CONTACT_COLUMNS, 'u.identity'])
      .where('u.org_id', '=', orgId)
      .where('u.identity', 'in', identities)
      .where('c.org_id', '=', orgId)
      .where('c.is_active', '=', true)
      .execute();
    for (const r of rows as (ContactRow & { identity: string })[]) byIdentity.set(r.identity, r);
  }
  return refs.map((r) => (r.uuid && byUuid.get(r.uuid)) || (r.identity && byIdentity.get(r.identity)) || undefined);
}

/**
 * URNs, groups, notes and field values of many contacts in one statement whatever their number:
 * each contact's lists come back as JSON aggregates (parsed natively), which costs far less than
 * shipping and parsing one row per URN, membership and value.
 */
export async function loadContactDetails(db: Db, orgId: number, ids: number[], opts: { notes?: boolean } = {}): Promise<ContactDetails> {
  const details: ContactDetails = { urns: new Map(), groups: new Map(), notes: new Map(), values: new Map(), flows: new Map() };
  if (!ids.length) return details;
  const notes = opts.notes === false
    ? sql`NULL::json`
    : sql`(SELECT json_agg(json_build_array(n.text, n.created_on, us.email, us.first_name, us.last_name) ORDER BY n.created_on, n.id)
         FROM (SELECT * FROM contact_notes n WHERE n.contact_id = c.id ORDER BY n.created_on DESC, n.id DESC LIMIT ${MAX_NOTES}) n
         LEFT JOIN users us ON us.id = n.created_by_id)`;
  // The outer query scopes to the workspace; the per-contact lists then follow contact_id alone
  // (each on its (contact_id, ...) index: an org_id condition there only tempts the planner into
  // scanning the workspace's rows).
  const rows = await sql<{ id: number; urns: any[] | null; groups: any[] | null; vals: any[] | null; notes: any[] | null; flow: [string, string] | null }>`
    SELECT c.id,
      (SELECT json_agg(json_build_array(u.id, u.scheme, u.path, u.identity, u.display, u.priority, u.channel_id, ch.uuid, ch.name) ORDER BY u.priority DESC, u.id)
         FROM contact_urns u LEFT JOIN channels ch ON ch.id = u.channel_id
        WHERE u.contact_id = c.id) AS urns,
      (SELECT json_agg(json_build_array(g.id, g.uuid, g.name) ORDER BY g.id)
         FROM contact_groups_contacts gc JOIN contact_groups g ON g.id = gc.group_id
        WHERE gc.contact_id = c.id AND g.is_active AND g.group_type IN ('M', 'Q')) AS groups,
      (SELECT json_agg(json_build_array(v.field_id, v.text_value, v.number_value::text, v.datetime_value, v.state_value, v.district_value, v.ward_value))
         FROM contact_field_values v WHERE v.contact_id = c.id) AS vals,
      ${notes} AS notes,
      (SELECT json_build_array(f.uuid, f.name) FROM flows f WHERE f.id = c.current_flow_id) AS flow
    FROM contacts c
    WHERE c.org_id = ${orgId} AND c.id = ANY(${sql.raw(`ARRAY[${ids.map((i) => Number(i)).join(',')}]::bigint[]`)})`.execute(db);
  for (const r of rows.rows) {
    if (r.urns) {
      details.urns.set(
        r.id,
        r.urns.map(([id, scheme, path, identity, display, priority, channel_id, channel_uuid, channel_name]) => ({
          id, contact_id: r.id, scheme, path, identity, display, priority, channel_id, channel_uuid, channel_name,
        })),
      );
    }
    if (r.flow) details.flows.set(r.id, { uuid: r.flow[0], name: r.flow[1] });
    if (r.groups) details.groups.set(r.id, r.groups.map(([id, uuid, name]) => ({ id, uuid, name })));
    if (r.vals) {
      details.values.set(
        r.id,
        new Map(
          r.vals.map(([field_id, text_value, number_value, datetime_value, state_value, district_value, ward_value]) => [
            field_id,
            { text_value, number_value, datetime_value, state_value, district_value, ward_value },
          ]),
        ),
      );
    }
    if (r.notes) {
      details.notes.set(
        r.id,
        r.notes.map(([text, created_on, email, first, last]) => ({
          text,
          created_on,
          created_by: email ? { email, name: [first, last].filter((x: string | null) => x).join(' ') } : null,
        })),
      );
    }
  }
  return details;
}

/** Manual and smart groups of the workspace by UUID or name (case-insensitive), for references. */
export async function findGroupsByRefs(db: Db, orgId: number, given: string[]) {
  const refs = given.filter((r) => !r.includes('\0'));
  if (!refs.length) return [];
  const uuids = refs.filter((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r)).map((r) => r.toLowerCase());
  const names = refs.map((r) => r.toLowerCase());
  return db
    .selectFrom('contact_groups')
    .select(['id', 'uuid', 'name', 'group_type', 'query'])
    .where('org_id', '=', orgId)
    .where('is_active', '=', true)
    .where('group_type', 'in', ['M', 'Q'])
    .where((eb) => eb.or([...(uuids.length ? [eb(sql`uuid::text`, 'in', uuids)] : []), eb(sql`lower(name)`, 'in', names)]))
    .orderBy('id')
    .execute();
}

/** A group found by reference (UUID or name), as findGroupsByRefs returns it. */
export interface GroupLookupRow {
  id: number;
  uuid: string;
  name: string;
  group_type: string;
  query: string | null;
}

/** What a contact write needs to know of its workspace. */
export interface ContactWriteContext {
  /** every active user field, in creation order */
  fields: FieldRow[];
  /** the smart groups a contact change can move it in or out of */
  smartGroups: SmartGroupDef[];
  /** the manual and smart groups matching the references given, as findGroupsByRefs finds them */
  groups: GroupLookupRow[];
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The workspace side of a contact write — field definitions, smart groups, and the groups the body
 * names — in ONE statement (two fixed texts, so it is prepared per connection): a create or update
 * then validates and decides smart-group membership without further reads.
 */
export async function loadContactWriteContext(db: Db, orgId: number, groupRefs: string[] = []): Promise<ContactWriteContext> {
  const refs = groupRefs.filter((r) => !r.includes('\0'));
  const groups = refs.length
    ? sql`(SELECT json_agg(json_build_array(g.id, g.uuid, g.name, g.group_type, g.query) ORDER BY g.id)
         FROM contact_groups g
        WHERE g.org_id = ${orgId} AND g.is_active AND g.group_type IN ('M', 'Q')
          AND (g.uuid::text = ANY(${refs.filter((r) => UUID_TEXT.test(r)).map((r) => r.toLowerCase())}::text[])
               OR lower(g.name) = ANY(${refs.map((r) => r.toLowerCase())}::text[])))`
    : sql`NULL::json`;
  const r = await sql<{ fields: any[] | null; smart: any[] | null; groups: any[] | null }>`
    SELECT
      (SELECT json_agg(json_build_array(f.id, f.uuid, f.key, f.name, f.value_type, f.show_in_table, f.priority, f.agent_access, f.created_on::text) ORDER BY f.id)
         FROM contact_fields f WHERE f.org_id = ${orgId} AND f.is_active AND NOT f.is_system) AS fields,
      (SELECT json_agg(json_build_array(g.id, g.uuid, g.name, g.query) ORDER BY g.id)
         FROM contact_groups g
        WHERE g.org_id = ${orgId} AND g.is_active AND g.group_type = 'Q' AND g.status <> 'V' AND NOT g.is_system AND g.query IS NOT NULL) AS smart,
      ${groups} AS groups`.execute(db);
  const row = r.rows[0];
  return {
    fields: (row.fields ?? []).map(([id, uuid, key, name, value_type, show_in_table, priority, agent_access, created_on]) => ({
      id, uuid, key, name, value_type, show_in_table, priority, agent_access, is_system: false, created_on,
    })),
    smartGroups: (row.smart ?? []).map(([id, uuid, name, query]) => ({ id, uuid, name, query })),
    groups: (row.groups ?? []).map(([id, uuid, name, group_type, query]) => ({ id, uuid, name, group_type, query })),
  };
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

/** What a create or update changes; keys left undefined are left alone. */
export interface ContactChanges {
  name?: string | null;
  language?: string | null;
  status?: ContactStatus;
  /** replaces the URN list (order = priority) */
  urns?: Urn[];
  /** replaces manual group membership */
  groupIds?: number[];
  /** sets (string) or clears ("" or null) values; keyed by field */
  fields?: { field: FieldRow; value: string | null }[];
  /** appends a note (updates only) */
  note?: string;
}

const now = sql<string>`clock_timestamp()`;

/**
 * Creates one contact with its URNs, field values and groups: a fixed number of statements. URNs
 * owned by another contact raise UrnInUseError (roll the transaction back).
 */
export async function createContact(tx: Transaction<DB>, ws: Workspace, userId: number | null, changes: ContactChanges): Promise<ContactRow> {
  const row = (await tx
    .insertInto('contacts')
    .values({
      uuid: randomUUID(),
      org_id: ws.id,
      name: changes.name ?? null,
      language: changes.language ?? null,
      status: CODE_BY_STATUS[changes.status ?? 'active'],
      created_by_id: userId,
      modified_by_id: userId,
    })
    .returning(['id', 'uuid', 'org_id', 'name', 'language', 'status', 'is_active', 'current_flow_id', 'created_on', 'modified_on', 'last_seen_on'])
    .executeTakeFirstOrThrow()) as ContactRow;
  if (changes.urns?.length) await setUrns(tx, ws.id, row.id, changes.urns, []);
  if (changes.fields?.length) await setFieldValues(tx, ws, row.id, changes.fields, new Map());
  if (changes.groupIds?.length) await setManualGroups(tx, ws.id, row.id, changes.groupIds, []);
  return row;
}

/**
 * Creates one contact with its URNs, field values and groups in ONE statement (data-modifying
 * CTEs, atomic without a transaction): the fastest create there is. A URN owned by another contact
 * makes the statement fail (nothing is written) and is reported as UrnInUseError with its index
 * (inside a caller's transaction that failure aborts the transaction, as any error would).
 * Returns the row and the details it wrote, so the caller can answer without reading them back.
 */
export async function insertContact(
  db: Db,
  ws: Workspace,
  userId: number | null,
  changes: ContactChanges,
  groups: GroupRef[] = [],
  smart?: { fields: FieldRow[]; smartGroups: SmartGroupDef[] },
): Promise<{ row: ContactRow; details: ContactDetails }> {
  const urns = dedupeUrns(changes.urns ?? []);
  const env = { timezone: ws.timezone, dateStyle: ws.dateStyle };
  const values = (changes.fields ?? [])
    .map(({ field, value }) => ({ field, text: value === null ? '' : value.trim() }))
    .filter((v) => v.text !== '')
    .map(({ field, text }) => ({ field, parsed: parseFieldValue(text, env) }));
  const lastByField = new Map(values.map((v) => [v.field.id, v]));
  const groupIds = [...new Set(changes.groupIds ?? [])];
  const uuid = randomUUID();
  // the new contact is known in full, so the smart groups it joins are decided here and written
  // with it (the engine's rule: a new contact is evaluated against every smart group)
  const joined = smart
    ? smartGroupsMatching(ws, smart.fields, smart.smartGroups, {
        uuid,
        name: changes.name ?? null,
        status: changes.status ?? 'active',
        language: changes.language ?? null,
        createdOn: new Date(),
        lastSeenOn: null,
        urns: urns.map((u) => ({ scheme: u.scheme, path: u.path })),
        groups: [],
        flow: null,
        history: [],
        tickets: 0,
        fields: Object.fromEntries(
          [...lastByField.values()].map(({ field, parsed: p }) => [
            field.key,
            { text: p.text, number: p.number, datetime: p.datetime, state: p.state, district: p.district, ward: p.ward },
          ]),
        ),
      })
    : [];
  for (const g of joined) {
    if (!groupIds.includes(g.id)) groupIds.push(g.id);
    if (!groups.some((x) => x.id === g.id)) groups = [...groups, { id: g.id, uuid: g.uuid, name: g.name }];
  }
  const vals = [...lastByField.values()];
  const col = <T>(f: (v: (typeof vals)[number]) => T) => vals.map(f);
  // One fixed text whatever the numbers of URNs, values and groups (lists travel as arrays), so it
  // is prepared once per connection: parsing and planning this statement cost more than running it
  // (PGlite: 880 → 330 µs). Safe to prepare: no ON CONFLICT arbiter depends on a parameter.
  // Fewer URNs claimed than given fails the whole statement, naming the first URN not claimed (a
  // cast error PostgreSQL cannot fold away); no follow-up read, so this also works inside a transaction.
  const statement = sql<ContactRow & { _check: number }>`${sql.raw(PREPARE)}
    WITH c AS (
      INSERT INTO contacts (uuid, org_id, name, language, status, created_by_id, modified_by_id, created_on, modified_on)
      VALUES (${uuid}::uuid, ${ws.id}::bigint, ${changes.name ?? null}::text, ${changes.language ?? null}::text,
              ${CODE_BY_STATUS[changes.status ?? 'active']}::text, ${userId}::bigint, ${userId}::bigint, now(), now())
      RETURNING id, uuid, org_id, name, language, status, is_active, current_flow_id, created_on, modified_on, last_seen_on
    ), x AS (
      SELECT * FROM unnest(${urns.map((u) => u.scheme)}::text[], ${urns.map((u) => u.path)}::text[],
                           ${urns.map((u) => u.identity)}::text[], ${urns.map((u) => u.display)}::text[])
        WITH ORDINALITY AS x(scheme, path, identity, display, i)
    ), u AS (
      INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, display, priority)
      SELECT ${ws.id}::bigint, c.id, x.scheme, x.path, x.identity, x.display, ${sql.raw(String(TOP_PRIORITY + 1))} - x.i FROM c, x
      ON CONFLICT (org_id, identity) DO UPDATE
        SET contact_id = EXCLUDED.contact_id, priority = EXCLUDED.priority, display = COALESCE(EXCLUDED.display, contact_urns.display)
        WHERE contact_urns.contact_id IS NULL
      RETURNING identity
    ), v AS (
      INSERT INTO contact_field_values (contact_id, field_id, org_id, text_value, number_value, datetime_value, state_value, district_value, ward_value)
      SELECT c.id, x.f, ${ws.id}::bigint, x.t, x.n, x.d, x.s, x.di, x.w
      FROM c, unnest(${col((v) => v.field.id)}::bigint[], ${col((v) => v.parsed.text)}::text[], ${col((v) => v.parsed.number)}::numeric[],
                     ${col((v) => v.parsed.datetime)}::timestamptz[], ${col((v) => v.parsed.state)}::text[],
                     ${col((v) => v.parsed.district)}::text[], ${col((v) => v.parsed.ward)}::text[]) AS x(f, t, n, d, s, di, w)
    ), g AS (
      INSERT INTO contact_groups_contacts (group_id, contact_id) SELECT x.g, c.id FROM c, unnest(${groupIds}::bigint[]) AS x(g)
    )
    SELECT c.*,
      CASE WHEN (SELECT count(*) FROM u) < (SELECT count(*) FROM x)
        THEN ('URN_IN_USE ' || (SELECT min(x.i) - 1 FROM x WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.identity = x.identity)))::int
        ELSE 0 END AS _check
    FROM c`;
  let row: ContactRow;
  try {
    const r = await statement.execute(db);
    const { _check, ...rest } = r.rows[0];
    void _check;
    row = rest as ContactRow;
  } catch (e) {
    const m = /URN_IN_USE (\d+)/.exec(String((e as Error).message));
    if (!m) throw e;
    const identity = urns[Number(m[1])].identity;
    throw new UrnInUseError(Math.max((changes.urns ?? []).findIndex((u) => u.identity === identity), 0));
  }
  const details: ContactDetails = { urns: new Map(), groups: new Map(), notes: new Map(), values: new Map(), flows: new Map() };
  details.urns.set(
    row.id,
    urns.map((u, i) => ({ id: 0, contact_id: row.id, scheme: u.scheme, path: u.path, identity: u.identity, display: u.display, priority: TOP_PRIORITY - i, channel_id: null, channel_uuid: null, channel_name: null })),
  );
  details.groups.set(row.id, groups.filter((g) => groupIds.includes(g.id)).sort((a, b) => a.id - b.id));
  details.values.set(
    row.id,
    new Map(
      [...lastByField.values()].map(({ field, parsed: p }) => [
        field.id,
        { text_value: p.text, number_value: p.number, datetime_value: p.datetime, state_value: p.state, district_value: p.district, ward_value: p.ward },
      ]),
    ),
  );
  return { row, details };
}

/**
 * Applies changes to an existing contact; only what differs is written, and modified_on moves only
 * when something changed. Returns the contact as it now is.
 */
export async function updateContact(
  tx: Transaction<DB>,
  ws: Workspace,
  userId: number | null,
  contact: ContactRow,
  changes: ContactChanges,
  current: { urns: ContactUrnRow[]; groups: GroupRef[]; values: Map<number, StoredFieldValue> },
): Promise<ContactRow> {
  let changed = false;
  const set: Record<string, unknown> = {};
  if (changes.name !== undefined && changes.name !== contact.name) set.name = changes.name;
  if (changes.language !== undefined && changes.language !== contact.language) set.language = changes.language;
  if (changes.status !== undefined && CODE_BY_STATUS[changes.status] !== contact.status) set.status = CODE_BY_STATUS[changes.status];
  if (changes.urns !== undefined) {
    const before = current.urns.map((u) => u.identity).join('\n');
    const after = dedupeUrns(changes.urns).map((u) => u.identity).join('\n');
    if (before !== after) {
      await setUrns(tx, ws.id, contact.id, changes.urns, current.urns);
      changed = true;
    }
  }
  if (changes.fields?.length) {
    if (await setFieldValues(tx, ws, contact.id, changes.fields, current.values)) changed = true;
  }
  if (changes.groupIds !== undefined) {
    if (await setManualGroups(tx, ws.id, contact.id, changes.groupIds, current.groups.map((g) => g.id))) changed = true;
  }
  if (changes.note !== undefined) {
    await addNote(tx, contact.id, userId, changes.note);
    changed = true;
  }
  if (Object.keys(set).length || changed) {
    return (await tx
      .updateTable('contacts as c')
      .set({ ...set, modified_on: now, modified_by_id: userId })
      .where('c.org_id', '=', ws.id)
      .where('c.id', '=', contact.id)
      .returning([...CONTACT_COLUMNS])
      .executeTakeFirstOrThrow()) as ContactRow;
  }
  return contact;
}

function dedupeUrns(urns: Urn[]): Urn[] {
  const seen = new Set<string>();
  return urns.filter((u) => (seen.has(u.identity) ? false : (seen.add(u.identity), true)));
}

/**
 * Gives a contact exactly these URNs in this priority order: claims free (orphan) URN rows or
 * inserts new ones in one upsert, and detaches the URNs it no longer has. The unique
 * (org_id, identity) index is the arbiter: a URN owned by another contact is not claimed, and is
 * reported by its index in the given list.
 */
async function setUrns(tx: Transaction<DB>, orgId: number, contactId: number, given: Urn[], current: ContactUrnRow[]): Promise<void> {
  const urns = dedupeUrns(given);
  if (urns.length) {
    const claimed = await sql<{ identity: string }>`
      INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, display, priority)
      VALUES ${sql.join(urns.map((u, i) => sql`(${orgId}, ${contactId}, ${u.scheme}, ${u.path}, ${u.identity}, ${u.display}, ${TOP_PRIORITY - i})`))}
      ON CONFLICT (org_id, identity) DO UPDATE
        SET contact_id = EXCLUDED.contact_id, priority = EXCLUDED.priority, display = COALESCE(EXCLUDED.display, contact_urns.display)
        WHERE contact_urns.contact_id IS NULL OR contact_urns.contact_id = EXCLUDED.contact_id
      RETURNING identity`.execute(tx);
    const ok = new Set(claimed.rows.map((r) => r.identity));
    const bad = given.findIndex((u) => !ok.has(u.identity));
    if (bad >= 0) throw new UrnInUseError(bad);
  }
  const keep = new Set(urns.map((u) => u.identity));
  const drop = current.filter((u) => !keep.has(u.identity)).map((u) => u.id);
  if (drop.length) {
    await tx.updateTable('contact_urns').set({ contact_id: null }).where('org_id', '=', orgId).where('id', 'in', drop).execute();
  }
}

/** Sets and clears field values in at most two statements; returns whether any value changed. */
async function setFieldValues(
  tx: Transaction<DB>,
  ws: Workspace,
  contactId: number,
  changes: { field: FieldRow; value: string | null }[],
  current: Map<number, StoredFieldValue>,
): Promise<boolean> {
  const clear: number[] = [];
  const upsert: { field_id: number; parsed: ReturnType<typeof parseFieldValue> }[] = [];
  const env = { timezone: ws.timezone, dateStyle: ws.dateStyle };
  for (const { field, value } of changes) {
    const text = value === null ? '' : value.trim();
    const existing = current.get(field.id);
    if (text === '') {
      if (existing) clear.push(field.id);
    } else if (!existing || existing.text_value !== text) {
      upsert.push({ field_id: field.id, parsed: parseFieldValue(text, env) });
    }
  }
  if (clear.length) {
    await tx.deleteFrom('contact_field_values').where('contact_id', '=', contactId).where('field_id', 'in', clear).execute();
  }
  if (upsert.length) {
    await tx
      .insertInto('contact_field_values')
      .values(
        upsert.map(({ field_id, parsed }) => ({
          contact_id: contactId,
          field_id,
          org_id: ws.id,
          text_value: parsed.text,
          number_value: parsed.number,
          datetime_value: parsed.datetime,
          state_value: parsed.state,
          district_value: parsed.district,
          ward_value: parsed.ward,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['contact_id', 'field_id']).doUpdateSet((eb) => ({
          text_value: eb.ref('excluded.text_value'),
          number_value: eb.ref('excluded.number_value'),
          datetime_value: eb.ref('excluded.datetime_value'),
          state_value: eb.ref('excluded.state_value'),
          district_value: eb.ref('excluded.district_value'),
          ward_value: eb.ref('excluded.ward_value'),
        })),
      )
      .execute();
  }
  return clear.length > 0 || upsert.length > 0;
}

/** Replaces manual group membership (smart groups are untouched); returns whether it changed. */
async function setManualGroups(tx: Transaction<DB>, orgId: number, contactId: number, groupIds: number[], current: number[]): Promise<boolean> {
  const want = new Set(groupIds);
  const manual = current.length
    ? new Set(
        (await tx.selectFrom('contact_groups').select('id').where('org_id', '=', orgId).where('group_type', '=', 'M').where('id', 'in', current).execute()).map((g) => g.id),
      )
    : new Set<number>();
  const remove = [...manual].filter((id) => !want.has(id));
  const add = [...want].filter((id) => !current.includes(id));
  if (remove.length) {
    await tx.deleteFrom('contact_groups_contacts').where('contact_id', '=', contactId).where('group_id', 'in', remove).execute();
  }
  if (add.length) {
    await tx
      .insertInto('contact_groups_contacts')
      .values(add.map((group_id) => ({ group_id, contact_id: contactId })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return remove.length > 0 || add.length > 0;
}

export const MAX_NOTES = 5;

/** Appends a note and keeps only the last five. */
async function addNote(tx: Transaction<DB>, contactId: number, userId: number | null, text: string): Promise<void> {
  await tx.insertInto('contact_notes').values({ contact_id: contactId, text, created_by_id: userId }).execute();
  await sql`
    DELETE FROM contact_notes WHERE contact_id = ${contactId} AND id NOT IN (
      SELECT id FROM contact_notes WHERE contact_id = ${contactId} ORDER BY created_on DESC, id DESC LIMIT ${MAX_NOTES}
    )`.execute(tx);
}

// ---------------------------------------------------------------------------------------------
// Bulk changes (contact_actions, DELETE): one statement per kind of change for the whole set
// ---------------------------------------------------------------------------------------------

const touch = (tx: Transaction<DB>, orgId: number, ids: number[], userId: number | null, set: Record<string, unknown> = {}) =>
  tx
    .updateTable('contacts')
    .set({ ...set, modified_on: now, modified_by_id: userId })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();

/** Adds contacts to (or removes them from) a manual group; only contacts whose membership changes are touched. */
export async function bulkChangeGroup(tx: Transaction<DB>, orgId: number, userId: number | null, ids: number[], groupId: number, add: boolean): Promise<number[]> {
  if (!ids.length) return [];
  let changed: number[];
  if (add) {
    const r = await tx
      .insertInto('contact_groups_contacts')
      .values(ids.map((contact_id) => ({ group_id: groupId, contact_id })))
      .onConflict((oc) => oc.doNothing())
      .returning('contact_id')
      .execute();
    changed = r.map((x) => x.contact_id);
  } else {
    const r = await tx.deleteFrom('contact_groups_contacts').where('group_id', '=', groupId).where('contact_id', 'in', ids).returning('contact_id').execute();
    changed = r.map((x) => x.contact_id);
  }
  if (changed.length) await touch(tx, orgId, changed, userId);
  return changed;
}

/**
 * Changes status; contacts that stop being active leave every group (manual and smart), as the
 * engine's status modifier does. Only contacts whose status differs are touched.
 */
export async function bulkChangeStatus(tx: Transaction<DB>, orgId: number, userId: number | null, ids: number[], status: ContactStatus): Promise<number[]> {
  if (!ids.length) return [];
  const code = CODE_BY_STATUS[status];
  const r = await tx
    .updateTable('contacts')
    .set({ status: code, modified_on: now, modified_by_id: userId })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('status', '!=', code)
    .returning('id')
    .execute();
  const changed = r.map((x) => x.id);
  if (status !== 'active' && changed.length) await leaveAllGroups(tx, orgId, changed);
  return changed;
}

async function leaveAllGroups(tx: Transaction<DB>, orgId: number, ids: number[]): Promise<void> {
  await tx
    .deleteFrom('contact_groups_contacts')
    .where('contact_id', 'in', ids)
    .where('group_id', 'in', (eb) => eb.selectFrom('contact_groups').select('id').where('org_id', '=', orgId).where('group_type', 'in', ['M', 'Q']))
    .execute();
}

/**
 * Whether `bulkInterrupt` ends flow runs/sessions (the test `interrupt ends runs once they exist`
 * guarded this while runs did not exist yet).
 */
export const INTERRUPT_ENDS_RUNS = true;

/**
 * Interrupts contacts, as mailroom does: their waiting sessions end as interrupted, the active and
 * waiting runs of those sessions too, and they are no longer in a flow. Three statements for any
 * number of contacts; only contacts that were in a flow are touched. Returns those contacts' ids.
 */
export async function bulkInterrupt(tx: Transaction<DB>, orgId: number, userId: number | null, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const idList = sql.raw(`ARRAY[${ids.map(Number).join(',')}]::bigint[]`);
  const ended = await sql<{ id: number }>`
    UPDATE flow_sessions SET status = 'I', ended_on = clock_timestamp(), timeout_on = NULL, wait_expires_on = NULL
    WHERE org_id = ${orgId} AND status = 'W' AND contact_id = ANY(${idList}) RETURNING id`.execute(tx);
  if (ended.rows.length) {
    await sql`
      UPDATE flow_runs SET status = 'I', exited_on = clock_timestamp(), modified_on = clock_timestamp()
      WHERE org_id = ${orgId} AND session_id = ANY(${sql.raw(`ARRAY[${ended.rows.map((r) => Number(r.id)).join(',')}]::bigint[]`)}) AND status IN ('A', 'W')`.execute(tx);
  }
  const r = await tx
    .updateTable('contacts')
    .set({ current_flow_id: null, modified_on: now, modified_by_id: userId })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('current_flow_id', 'is not', null)
    .returning('id')
    .execute();
  return r.map((x) => x.id);
}

/** Whether `bulkArchiveMessages` archives messages (guarded by a test while messages did not exist). */
export const ARCHIVE_MESSAGES_IMPLEMENTED = true;

/** Archives every visible incoming message of these contacts (one statement). */
export async function bulkArchiveMessages(tx: Transaction<DB>, orgId: number, ids: number[]): Promise<number> {
  if (!ids.length) return 0;
  const r = await tx
    .updateTable('msgs')
    .set({ visibility: 'A', modified_on: now })
    .where('org_id', '=', orgId)
    .where('contact_id', 'in', ids)
    .where('direction', '=', 'I')
    .where('visibility', '=', 'V')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Deletes contacts (soft): interrupts them, deletes their messages, frees their URNs (rewritten to `deleted:<uuid>`),
 * removes them from groups, clears name, language, fields and notes, marks them inactive and
 * bumps modified_on so `deleted=true` syncs pick them up. A fixed number of statements.
 */
export async function releaseContacts(tx: Transaction<DB>, orgId: number, userId: number | null, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await bulkInterrupt(tx, orgId, userId, ids);
  // their messages are deleted as a user deletes them (content cleared, labels removed)
  await sql`DELETE FROM msg_labels_msgs WHERE msg_id IN (SELECT id FROM msgs WHERE org_id = ${orgId} AND contact_id IN (${sql.join(ids)}))`.execute(tx);
  await tx
    .updateTable('msgs')
    .set({ visibility: 'D', text: '', attachments: sql`'{}'::text[]`, modified_on: now })
    .where('org_id', '=', orgId)
    .where('contact_id', 'in', ids)
    .where('visibility', '!=', 'D')
    .execute();
  await sql`
    UPDATE contact_urns SET scheme = 'deleted', path = d.p, identity = 'deleted:' || d.p, display = NULL, channel_id = NULL
    FROM (SELECT id, gen_random_uuid()::text AS p FROM contact_urns WHERE org_id = ${orgId} AND contact_id IN (${sql.join(ids)})) d
    WHERE contact_urns.id = d.id`.execute(tx);
  await tx.deleteFrom('contact_groups_contacts').where('contact_id', 'in', ids).execute();
  await tx.deleteFrom('contact_field_values').where('contact_id', 'in', ids).execute();
  await tx.deleteFrom('contact_notes').where('contact_id', 'in', ids).execute();
  await touch(tx, orgId, ids, userId, { is_active: false, name: null, current_flow_id: null });
}
