import { sql } from 'kysely';
import type { ApiContext, Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { boolParam, datetimeParam, uuidParam } from '../params.ts';
import { ApiError } from '../errors.ts';
import { formatDatetime } from '../datetimes.ts';
import { BodyValidator, requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { contactReferences, groupReferences, MAX_REFERENCES } from '../references.ts';
import { listField } from './contacts.ts';
import { createFlowStart, START_STATUS } from '../../models/flow-starts.ts';
import { createContact, findContactByUrn, UrnInUseError } from '../../models/contacts.ts';
import { urnForWrite, type Urn } from '../../models/urns.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StartRow {
  id: number; uuid: string; status: string; params: Record<string, unknown> | null; restart_participants: boolean;
  exclude_active: boolean; contact_count: number | null; created_on: string; modified_on: string; flow_uuid: string; flow_name: string;
}

async function serializeStarts(db: Kysely<DB>, rows: StartRow[]) {
  const ids = rows.map((r) => r.id);
  const [groups, contacts, runs] = ids.length
    ? await Promise.all([
        db.selectFrom('flow_start_groups as s').innerJoin('contact_groups as g', 'g.id', 's.group_id').select(['s.start_id', 'g.uuid', 'g.name']).where('s.start_id', 'in', ids).orderBy('g.id').execute(),
        db.selectFrom('flow_start_contacts as s').innerJoin('contacts as c', 'c.id', 's.contact_id').select(['s.start_id', 'c.uuid', 'c.name']).where('s.start_id', 'in', ids).orderBy('c.id').execute(),
        db.selectFrom('flow_runs').select(['start_id', (eb) => eb.fn.countAll<string>().as('n')]).where('start_id', 'in', ids).groupBy('start_id').execute(),
      ])
    : [[], [], []];
  return rows.map((r) => ({
    uuid: r.uuid,
    flow: { uuid: r.flow_uuid, name: r.flow_name },
    status: START_STATUS[r.status],
    progress: { total: r.contact_count ? r.contact_count : -1, started: Number(runs.find((x) => x.start_id === r.id)?.n ?? 0) },
    groups: groups.filter((g) => g.start_id === r.id).map((g) => ({ uuid: g.uuid, name: g.name })),
    contacts: contacts.filter((c) => c.start_id === r.id).map((c) => ({ uuid: c.uuid, name: c.name })),
    params: r.params ?? {},
    created_on: formatDatetime(r.created_on),
    modified_on: formatDatetime(r.modified_on),
    id: r.id,
    extra: r.params ?? {},
    restart_participants: r.restart_participants,
    exclude_active: r.exclude_active,
  }));
}

function startsQuery(db: Kysely<DB>, orgId: number) {
  return db
    .selectFrom('flow_starts as s')
    .innerJoin('flows as f', 'f.id', 's.flow_id')
    .select(['s.id', 's.uuid', 's.status', 's.params', 's.restart_participants', 's.exclude_active', 's.contact_count', 's.created_on', 's.modified_on', 'f.uuid as flow_uuid', 'f.name as flow_name'])
    .where('s.org_id', '=', orgId);
}

function booleanField(v: BodyValidator, name: string, dflt: boolean): boolean {
  if (!v.has(name)) return dflt;
  const raw = v.body[name];
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).toLowerCase();
  if (['true', '1', 'yes', 'y', 'on', 't'].includes(s)) return true;
  if (['false', '0', 'no', 'n', 'off', 'f'].includes(s)) return false;
  v.fail(name, ['Must be a valid boolean.']);
  return dflt;
}

/** The deprecated `extra`: keys sanitised, strings cut to 640, lists to dicts, nulls to "". */
function sanitizeExtra(value: unknown, depth = 0): unknown {
  if (value === null) return '';
  if (typeof value === 'string') return value.slice(0, 640);
  if (Array.isArray(value)) return sanitizeExtra(Object.fromEntries(value.map((v, i) => [String(i), v])), depth);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as object).slice(0, 256)) out[k.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 255)] = depth < 8 ? sanitizeExtra(v, depth + 1) : '';
    return out;
  }
  return value;
}

/** Python's json.dumps length (", " and ": " separators, non-ASCII escaped). */
function pythonJsonLength(value: unknown): number {
  return JSON.stringify(value, null, 0).replace(/[\u0080-\uffff]/g, '\\uXXXX').replace(/([,:])(?=["\d\[{tfn-])/g, '$1 ').length;
}

async function post(ctx: ApiContext) {
  const { db, workspace: ws, userId, req } = ctx;
  const data = requireObjectBody(ctx.body());
  checkWorkspaceWritable(ws);
  const v = new BodyValidator(data);

  let flow: { id: number } | undefined;
  if (!v.has('flow') || v.body.flow === null || v.body.flow === '') v.fail('flow', [v.has('flow') && v.body.flow === null ? 'This field may not be null.' : 'This field is required.']);
  else if (typeof v.body.flow !== 'string' && typeof v.body.flow !== 'number') v.fail('flow', ['Must be a string or integer']);
  else {
    const ref = String(v.body.flow);
    flow = UUID.test(ref) ? await db.selectFrom('flows').select('id').where('org_id', '=', ws.id).where('is_active', '=', true).where('uuid', '=', ref.toLowerCase()).executeTakeFirst() : undefined;
    if (!flow) v.fail('flow', [`No such object: ${ref}`]);
  }
  const groupRaws = listField(v, 'groups');
  const groups = groupRaws ? await groupReferences(v, ctx, 'groups', groupRaws) : [];
  const contactRaws = listField(v, 'contacts');
  const contacts = contactRaws ? await contactReferences(v, ctx, 'contacts', contactRaws) : [];
  const urnRaws = listField(v, 'urns');
  const urns: Urn[] = [];
  if (urnRaws) {
    if (urnRaws.length > MAX_REFERENCES) v.fail('urns', [`Ensure this field has no more than ${MAX_REFERENCES} elements.`]);
    else {
      const errors: Record<string, string[]> = {};
      urnRaws.forEach((raw, i) => {
        const r = typeof raw === 'string' ? urnForWrite(raw, ws.country) : null;
        if (r && r.ok) urns.push(r.urn);
        else errors[String(i)] = [`Invalid URN: ${String(raw)}. Ensure phone numbers contain country codes.`];
      });
      if (Object.keys(errors).length) v.fail('urns', errors);
    }
  }
  const restart = booleanField(v, 'restart_participants', true);
  const excludeActive = booleanField(v, 'exclude_active', false);
  let params: Record<string, unknown> | null = null;
  for (const name of ['extra', 'params']) {
    if (!v.has(name) || v.body[name] === null) continue;
    const raw = v.body[name];
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      v.fail(name, ['Must be a valid JSON object']);
      continue;
    }
    const value = (name === 'extra' ? sanitizeExtra(raw) : raw) as Record<string, unknown>;
    if (pythonJsonLength(value) > 10000) v.fail(name, ['Cannot exceed 10,000 characters encoded.']);
    else params = value;
  }
  if (v.valid && !groups?.length && !contacts?.length && !urns.length) v.nonField('Must specify at least one group, contact or URN');
  v.throwIfInvalid();

  const zapier = /zapier/i.test(String(req.headers['user-agent'] ?? ''));
  const created = await db.transaction().execute(async (tx) => {
    const contactIds = (contacts ?? []).map((c) => c.id);
    for (const [i, urn] of urns.entries()) {
      const existing = await findContactByUrn(tx, ws.id, urn.identity);
      if (existing) contactIds.push(existing.id);
      else {
        try {
          contactIds.push((await createContact(tx, ws, userId, { urns: [urn] })).id);
        } catch (e) {
          if (e instanceof UrnInUseError) throw new ApiError(400, { urns: { [String(i)]: ['URN is in use by another contact.'] } });
          throw e;
        }
      }
    }
    return createFlowStart(tx, ws.id, {
      flowId: flow!.id, groupIds: (groups ?? []).map((g) => g.id), contactIds, params, restartParticipants: restart,
      excludeActive, startType: zapier ? 'Z' : 'A', userId,
    }, ctx.jobs ? (n, d, o) => ctx.jobs!.enqueue(n, d, o) : null);
  });
  const row = await startsQuery(db, ws.id).where('s.id', '=', created.id).executeTakeFirstOrThrow();
  return { status: 201, body: (await serializeStarts(db, [row as StartRow]))[0] };
}

export const flowStarts: Endpoint = {
  name: 'flow_starts',
  handlers: {
    async GET({ req, db, workspace }) {
      let q = startsQuery(db, workspace.id).select(['s.modified_on as _order', 's.id as _id']).where('s.start_type', 'in', ['A', 'M', 'Z']);
      const uuid = uuidParam(req, 'uuid');
      if (uuid) q = q.where('s.uuid', '=', uuid);
      for (const [name, op] of [['before', '<='], ['after', '>=']] as const) {
        const d = datetimeParam(req, name);
        if (d.invalid) q = q.where(sql<boolean>`false`);
        else if (d.value) q = q.where('s.modified_on', op, d.value);
      }
      const page = await paginate(req, q, { orderColumn: 's.modified_on', idColumn: 's.id', ascending: boolParam(req, 'reverse') });
      return { status: 200, body: { ...page, results: await serializeStarts(db, page.results as unknown as StartRow[]) } };
    },
    POST: post,
  },
};
