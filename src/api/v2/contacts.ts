import type { FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { ApiContext, Endpoint } from '../endpoint.ts';
import { compileSearch } from '../../search/search.ts';
import { refreshSmartGroups, type ContactChangeSet } from '../../models/smart-groups.ts';
import { QueryError } from '../../engine/contactql/index.ts';
import { paginate } from '../pagination.ts';
import { boolParam, datetimeParam, param, uuidParam } from '../params.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { BodyValidator, pythonType, requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable, requireDeleteLookup, writeLookup } from '../writes.ts';
import { formatDatetime } from '../datetimes.ts';
import type { Workspace } from '../../models/workspaces.ts';
import { userFieldsQuery, type FieldRow } from '../../models/fields.ts';
import { renderFieldValue } from '../../models/field-values.ts';
import {
  CONTACT_COLUMNS, STATUS_BY_CODE, UrnInUseError, insertContact, type GroupRef, findContactByUrn, findContactByUuid,
  loadContactDetails, lockContact, loadContactWriteContext, releaseContacts, updateContact, type ContactChanges, type ContactDetails, type ContactRow,
  type ContactUrnRow, type ContactWriteContext,
} from '../../models/contacts.ts';
import { urnForLookup, urnForWrite, type Urn } from '../../models/urns.ts';
import { ANON_MASK, encodeContactRef, formatURN } from '../../engine/urns/index.ts';
import { isLanguageCode } from '../../engine/contactql/languages.ts';

export const MAX_LIST_ITEMS = 100;
const TOO_MANY = `Ensure this field has no more than ${MAX_LIST_ITEMS} elements.`;
const ANON_URN_LOOKUP = 'URN lookups not allowed for anonymous organizations';

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export interface SerializeOptions {
  expandUrns?: boolean;
  priorityOrder?: boolean;
}

interface ChannelInfo {
  id: number;
  uuid: string;
  name: string;
  schemes: string[];
  roles: string;
}

/** Fields shown to the requesting user, in creation order (agents never see "none" fields). */
async function visibleFields(db: Kysely<DB>, ws: Workspace, role: string): Promise<FieldRow[]> {
  return visibleTo(role, (await userFieldsQuery(db, ws.id).orderBy('f.id').execute()) as FieldRow[]);
}

function visibleTo(role: string, fields: FieldRow[]): FieldRow[] {
  return role === 'agent' ? fields.filter((f) => f.agent_access !== 'none') : fields;
}

/**
 * The API representation of many contacts at once: a fixed number of queries (field definitions,
 * URNs, groups, field values, notes, and channels when URNs are expanded) whatever the page size.
 */
export async function serializeContacts(
  db: Kysely<DB>,
  ws: Workspace,
  role: string,
  rows: ContactRow[],
  opts: SerializeOptions = {},
  known: { fields?: FieldRow[]; details?: ContactDetails } = {},
): Promise<Record<string, unknown>[]> {
  const active = rows.filter((r) => r.is_active).map((r) => r.id);
  const [fields, details, channels] = await Promise.all([
    known.fields ?? visibleFields(db, ws, role),
    known.details ?? loadContactDetails(db, ws.id, active),
    opts.expandUrns && active.length
      ? (db
          .selectFrom('channels')
          .select(['id', 'uuid', 'name', 'schemes', 'roles'])
          .where('org_id', '=', ws.id)
          .where('is_active', '=', true)
          .orderBy('id')
          .execute() as Promise<ChannelInfo[]>)
      : Promise.resolve([] as ChannelInfo[]),
  ]);
  return rows.map((r) => serializeContact(ws, r, fields, details, channels, opts));
}

function serializeContact(
  ws: Workspace,
  c: ContactRow,
  fields: FieldRow[],
  details: ContactDetails,
  channels: ChannelInfo[],
  opts: SerializeOptions,
): Record<string, unknown> {
  const live = c.is_active;
  const out: Record<string, unknown> = { uuid: c.uuid, name: live ? c.name : null };
  if (ws.isAnon) {
    out.ref = encodeContactRef(c.id);
    out.anon_display = out.ref;
  }
  out.status = live ? STATUS_BY_CODE[c.status] : null;
  out.language = live ? c.language : null;
  out.urns = live ? serializeUrns(ws, details.urns.get(c.id) ?? [], channels, opts) : [];
  out.groups = live ? (details.groups.get(c.id) ?? []).map((g) => ({ uuid: g.uuid, name: g.name })) : [];
  out.notes = live
    ? (details.notes.get(c.id) ?? []).map((n) => ({ text: n.text, created_on: formatDatetime(n.created_on), created_by: n.created_by }))
    : [];
  const values: Record<string, string | null> = {};
  if (live) {
    const mine = details.values.get(c.id);
    for (const f of fields) values[f.key] = renderFieldValue(mine?.get(f.id), f.value_type, ws.timezone);
  }
  out.fields = values;
  out.flow = live ? (details.flows.get(c.id) ?? null) : null;
  out.created_on = formatDatetime(c.created_on);
  out.modified_on = formatDatetime(c.modified_on);
  out.last_seen_on = formatDatetime(c.last_seen_on);
  out.blocked = live ? c.status === 'B' : null;
  out.stopped = live ? c.status === 'S' : null;
  return out;
}

function serializeUrns(ws: Workspace, urns: ContactUrnRow[], channels: ChannelInfo[], opts: SerializeOptions) {
  if (!opts.expandUrns) {
    return urns.map((u) => formatURN({ scheme: u.scheme, path: ws.isAnon ? ANON_MASK : u.path }));
  }
  // the channel a message to this URN would go out on: its affinity, else a sending channel for the scheme
  const expanded = urns.map((u) => {
    const affinity = u.channel_id !== null ? channels.find((ch) => ch.id === u.channel_id) : undefined;
    const ch = affinity ?? channels.find((x) => x.schemes.includes(u.scheme) && x.roles.includes('S'));
    return {
      channel: ch ? { uuid: ch.uuid, name: ch.name } : null,
      scheme: u.scheme,
      path: ws.isAnon ? ANON_MASK : u.path,
      display: ws.isAnon ? null : u.display,
    };
  });
  // by default URNs that can be sent to come first (stable otherwise); urn_order=priority keeps priority order
  if (!opts.priorityOrder) expanded.sort((a, b) => Number(b.channel !== null) - Number(a.channel !== null));
  return expanded;
}

function serializeOptions(req: FastifyRequest): SerializeOptions {
  return { expandUrns: boolParam(req, 'expand_urns'), priorityOrder: (param(req, 'urn_order') ?? '').toLowerCase() === 'priority' };
}

/** A `?urn=` value: forbidden in anonymous workspaces, 400 when it cannot be parsed. */
function urnParam(ws: Workspace, value: string): Urn {
  if (ws.isAnon) throw badRequest(ANON_URN_LOOKUP);
  const urn = urnForLookup(value, ws.country);
  if (!urn) throw badRequest(`Invalid URN: ${value}`);
  return urn;
}

const emptyPage = { next: null, previous: null, results: [] };

async function list({ req, db, workspace: ws, role }: ApiContext) {
  const deleted = boolParam(req, 'deleted');
  let q = db
    .selectFrom('contacts as c')
    .select([...CONTACT_COLUMNS, sql<string>`c.modified_on::text`.as('_order'), 'c.id as _id'])
    .where('c.org_id', '=', ws.id)
    .where('c.is_active', '=', !deleted);
  const uuid = uuidParam(req, 'uuid');
  if (uuid) q = q.where('c.uuid', '=', uuid);
  const urnValue = param(req, 'urn');
  if (urnValue) {
    const urn = urnParam(ws, urnValue);
    q = q.where('c.id', 'in', (eb) =>
      eb.selectFrom('contact_urns as u').select('u.contact_id').where('u.org_id', '=', ws.id).where('u.identity', '=', urn.identity).where('u.contact_id', 'is not', null) as any,
    );
  }
  const groupRef = param(req, 'group');
  if (groupRef) {
    if (groupRef.includes('\0')) return { status: 200, body: emptyPage };
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(groupRef);
    const group = await db
      .selectFrom('contact_groups')
      .select('id')
      .where('org_id', '=', ws.id)
      .where('is_active', '=', true)
      .where('group_type', 'in', ['M', 'Q'])
      .where((eb) => (isUuid ? eb.or([eb('uuid', '=', groupRef.toLowerCase()), eb('name', '=', groupRef)]) : eb('name', '=', groupRef)))
      .executeTakeFirst();
    if (!group) return { status: 200, body: emptyPage };
    q = q.where('c.id', 'in', (eb) => eb.selectFrom('contact_groups_contacts as gc').select('gc.contact_id').where('gc.group_id', '=', group.id));
  }
  // Extension users asked RapidPro for: search with the contact query language.
  const queryText = param(req, 'query');
  if (queryText) {
    try {
      q = q.where((await compileSearch(db, ws, queryText)).where);
    } catch (e) {
      if (e instanceof QueryError) throw new ApiError(400, { query: [e.message] });
      throw e;
    }
  }
  const before = datetimeParam(req, 'before');
  const after = datetimeParam(req, 'after');
  if (before.invalid || after.invalid) return { status: 200, body: emptyPage };
  if (before.value) q = q.where('c.modified_on', '<=', before.value);
  if (after.value) q = q.where('c.modified_on', '>=', after.value);
  const page = await paginate(req, q, { orderColumn: 'c.modified_on', idColumn: 'c.id', ascending: boolParam(req, 'reverse') });
  const results = await serializeContacts(db, ws, role, page.results as unknown as ContactRow[], serializeOptions(req));
  return { status: 200, body: { ...page, results } };
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** A DRF list field: the list itself, or an error already recorded. */
export function listField(v: BodyValidator, name: string): unknown[] | undefined {
  if (!v.has(name)) return undefined;
  const raw = v.body[name];
  if (raw === null) return v.fail(name, ['This field may not be null.']);
  if (!Array.isArray(raw)) return v.fail(name, [`Expected a list of items but got type "${pythonType(raw)}".`]);
  return raw;
}

/** A DRF CharField child value (numbers stringified, whitespace trimmed); a message when invalid. */
function charValue(raw: unknown, opts: { allowNull?: boolean; allowBlank?: boolean; maxLength?: number }): { value: string | null } | { error: string } {
  if (raw === null) return opts.allowNull ? { value: null } : { error: 'This field may not be null.' };
  if (typeof raw !== 'string' && typeof raw !== 'number') return { error: 'Not a valid string.' };
  const s = String(raw).trim();
  if (s === '' && !opts.allowBlank) return { error: 'This field may not be blank.' };
  if (opts.maxLength !== undefined && [...s].length > opts.maxLength) return { error: `Ensure this field has no more than ${opts.maxLength} characters.` };
  if (s.includes('\0')) return { error: 'Null characters are not allowed.' };
  return { value: s };
}

/** The group references of a body, as loadContactWriteContext should look them up (none when invalid). */
function groupRefsOf(data: Record<string, unknown>): string[] {
  const raws = data.groups;
  if (!Array.isArray(raws) || raws.length > MAX_LIST_ITEMS) return [];
  return raws.filter((r) => typeof r === 'string' || typeof r === 'number').map(String);
}

/** Group references (manual only): the ids, or an error recorded on the field. */
function groupsField(v: BodyValidator, context: ContactWriteContext, name: string, raws: unknown[]): GroupRef[] | undefined {
  if (raws.length > MAX_LIST_ITEMS) return v.fail(name, [TOO_MANY]);
  for (const r of raws) if (typeof r !== 'string' && typeof r !== 'number') return v.fail(name, ['Must be a string or integer']);
  const refs = raws.map(String);
  const found = context.groups;
  const out: GroupRef[] = [];
  for (const ref of refs) {
    const lower = ref.toLowerCase();
    const g = found.find((x) => x.uuid === lower) ?? found.find((x) => x.name.toLowerCase() === lower);
    if (!g) return v.fail(name, [`No such object: ${ref}`]);
    if (g.group_type !== 'M') return v.fail(name, [`Contact group must not be query based: ${ref}`]);
    out.push({ id: g.id, uuid: g.uuid, name: g.name });
  }
  return out;
}

/** Python's str() of a JSON value, as DRF's URN field reads non-string items. */
function pythonStr(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function urnErrors(v: BodyValidator, ws: Workspace, raws: unknown[]): Urn[] | undefined {
  const errors: Record<string, string[]> = {};
  const urns: Urn[] = [];
  raws.forEach((raw, i) => {
    if (raw === null) {
      errors[String(i)] = ['This field may not be null.'];
      return;
    }
    const r = urnForWrite(pythonStr(raw), ws.country);
    if (r.ok) urns.push(r.urn);
    else errors[String(i)] = r.problems.map((p) => p.message);
  });
  if (Object.keys(errors).length) return v.fail('urns', errors);
  if (raws.length > MAX_LIST_ITEMS) return v.fail('urns', [TOO_MANY]);
  return urns;
}

/** Validates a create or update body against the workspace (already read: no queries here). */
function validateContactBody(
  ctx: ApiContext,
  data: Record<string, unknown>,
  target: { existing?: ContactRow; byUrn?: Urn },
  context: ContactWriteContext,
  validated: { groups?: GroupRef[] },
): ContactChanges {
  const { workspace: ws, role } = ctx;
  const v = new BodyValidator(data);
  const changes: ContactChanges = {};

  const name = v.string('name', { maxLength: 64, allowNull: true });
  if (name !== undefined) changes.name = name;

  const language = v.string('language', {
    allowNull: true,
    maxLength: 3,
    validators: [(s) => ([...s].length < 3 ? ['Ensure this field has at least 3 characters.'] : [])],
  });
  if (typeof language === 'string' && v.errors.language === undefined) {
    if (!isLanguageCode(language)) v.fail('language', ['Not a valid ISO639-3 language code.']);
    else changes.language = language.toLowerCase();
  } else if (language === null) changes.language = null;

  const note = v.string('note', { maxLength: 10000, allowBlank: true });
  // notes are only added on update (ignored on create, as upstream)
  if (typeof note === 'string' && target.existing) changes.note = note;

  const urnList = listField(v, 'urns');
  if (urnList) {
    const urns = urnErrors(v, ws, urnList);
    if (urns) {
      if (target.byUrn) v.fail('urns', ['Field not allowed when using URN in URL']);
      else if (ws.isAnon && target.existing) v.fail('urns', ['Updating URNs not allowed for anonymous organizations']);
      else changes.urns = urns;
    }
  }

  const groupList = listField(v, 'groups');
  if (groupList) {
    const refs = groupsField(v, context, 'groups', groupList);
    if (refs) {
      if (target.existing && target.existing.status !== 'A' && refs.length) v.fail('groups', ["Non-active contacts can't be added to groups"]);
      else {
        changes.groupIds = refs.map((g) => g.id);
        validated.groups = refs;
      }
    }
  }

  if (v.has('fields')) {
    const raw = data.fields;
    if (raw === null) v.fail('fields', ['This field may not be null.']);
    else if (typeof raw !== 'object' || Array.isArray(raw)) v.fail('fields', [`Expected a dictionary of items but got type "${pythonType(raw)}".`]);
    else if (Object.keys(raw).length > MAX_LIST_ITEMS) v.fail('fields', [TOO_MANY]);
    else {
      const entries = Object.entries(raw as Record<string, unknown>);
      const errors: Record<string, string[]> = {};
      const values: { key: string; value: string | null }[] = [];
      for (const [key, val] of entries) {
        const c = charValue(val, { allowNull: true, allowBlank: true });
        if ('error' in c) errors[key] = [c.error];
        else values.push({ key, value: c.value });
      }
      if (Object.keys(errors).length) v.fail('fields', errors);
      else {
        const defs = visibleTo(role, context.fields);
        const byKey = new Map(defs.map((f) => [f.key, f]));
        const out: ContactChanges['fields'] = [];
        for (const { key, value } of values) {
          const field = byKey.get(key);
          if (!field) {
            v.fail('fields', [`Invalid contact field key: ${key}`]);
            break;
          }
          if (role === 'agent' && field.agent_access !== 'edit') {
            v.fail('fields', [`Editing of '${key}' values disallowed for current user.`]);
            break;
          }
          out.push({ field, value });
        }
        if (v.errors.fields === undefined) changes.fields = out;
      }
    }
  }

  if (v.valid) {
    if (target.existing && !target.existing.is_active) v.nonField("Deleted contacts can't be modified.");
    else if (target.byUrn && !target.existing && !changes.urns?.length) {
      // a contact created by `?urn=` gets that URN; it must pass the same validation as body URNs
      const r = urnForWrite(param(ctx.req, 'urn')!, ws.country);
      if (!r.ok) v.fail('urns', { 0: r.problems.map((p) => p.message) });
      else changes.urns = [r.urn];
    }
  }
  v.throwIfInvalid();
  return changes;
}

async function write(ctx: ApiContext) {
  const { req, db, workspace: ws, userId, role } = ctx;
  const lookup = writeLookup(req, ['urn', 'uuid']);
  try {
    if (lookup?.name === 'uuid') {
      // found (deleted ones too) and locked by the update's first statement
      const uuid = uuidParam(req, 'uuid')!;
      return await update(ctx, (tx) => lockContact(tx, ws.id, { uuid }));
    }
    let byUrn: Urn | undefined;
    if (lookup?.name === 'urn') {
      byUrn = urnParam(ws, lookup.value);
      const existing = await findContactByUrn(db, ws.id, byUrn.identity);
      if (existing) return await update(ctx, (tx) => lockContact(tx, ws.id, { id: existing.id }), byUrn);
    }
    const data = requireObjectBody(ctx.body());
    checkWorkspaceWritable(ws);
    // one read for fields, smart groups and the groups named; validation then reads nothing
    const context = await loadContactWriteContext(db, ws.id, groupRefsOf(data));
    const validated: { groups?: GroupRef[] } = {};
    const changes = validateContactBody(ctx, data, { byUrn }, context, validated);
    const opts = serializeOptions(req);
    // a create is ONE statement (contact, URNs, values, manual and smart memberships; atomic on its
    // own, so no transaction), and the response is built from what was written
    const { row, details } = await insertContact(db, ws, userId, changes, validated.groups, context);
    const fields = visibleTo(role, context.fields);
    const [body] = await serializeContacts(db, ws, role, [row], opts, { fields, details: opts.expandUrns ? undefined : details });
    return { status: 201, body };
  } catch (e) {
    if (e instanceof UrnInUseError) throw new ApiError(400, { urns: { [String(e.index)]: ['URN is in use by another contact.'] } });
    throw e;
  }
}

/**
 * Updates the contact `lock` finds, in one transaction that starts by locking it (so concurrent
 * updates of one contact apply one after the other, each diffing against what the last wrote).
 */
async function update(ctx: ApiContext, lock: (tx: Kysely<DB>) => Promise<ContactRow | undefined>, byUrn?: Urn) {
  const { req, db, workspace: ws, userId, role } = ctx;
  const { row, fields } = await db.transaction().execute(async (tx) => {
    const existing = await lock(tx);
    if (!existing) throw notFound();
    const data = requireObjectBody(ctx.body());
    checkWorkspaceWritable(ws);
    const context = await loadContactWriteContext(tx, ws.id, groupRefsOf(data));
    const validated: { groups?: GroupRef[] } = {};
    const changes = validateContactBody(ctx, data, { existing, byUrn }, context, validated);
    const d = await loadContactDetails(tx, ws.id, [existing.id], { notes: false });
    const updated = await updateContact(tx, ws, userId, existing, changes, {
      urns: d.urns.get(existing.id) ?? [],
      groups: d.groups.get(existing.id) ?? [],
      values: d.values.get(existing.id) ?? new Map(),
    });
    // only the smart groups whose queries look at what this body sets
    await refreshSmartGroups(tx, ws, [existing.id], { changed: changeSetOf(changes), known: context });
    return { row: updated, fields: visibleTo(role, context.fields) };
  });
  const [body] = await serializeContacts(db, ws, role, [row], serializeOptions(req), { fields });
  return { status: 200, body };
}

function changeSetOf(changes: ContactChanges): ContactChangeSet | undefined {
  const attributes: string[] = [];
  if (changes.name !== undefined) attributes.push('name');
  if (changes.language !== undefined) attributes.push('language');
  if (changes.status !== undefined) return undefined; // every group depends on status
  return { attributes, urns: changes.urns !== undefined, fields: changes.fields?.map((f) => f.field.key) };
}

async function remove({ req, db, workspace: ws, userId }: ApiContext) {
  const lookup = requireDeleteLookup(req, ['urn', 'uuid']);
  let contact: ContactRow | undefined;
  if (lookup.name === 'uuid') {
    contact = await findContactByUuid(db, ws.id, uuidParam(req, 'uuid')!, { includeDeleted: true });
  } else {
    contact = await findContactByUrn(db, ws.id, urnParam(ws, lookup.value).identity);
  }
  if (!contact) throw notFound();
  if (contact.is_active) {
    await db.transaction().execute((tx) => releaseContacts(tx, ws.id, userId, [contact.id]));
  }
  return { status: 204 };
}

export const contacts: Endpoint = {
  name: 'contacts',
  scope: 'v2.contacts',
  handlers: { GET: list, POST: write, DELETE: remove },
};
