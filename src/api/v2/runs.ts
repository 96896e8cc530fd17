import { sql } from 'kysely';
import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { boolParam, datetimeParam, exclusiveParams, intParam, uuidParam } from '../params.ts';
import { formatDatetime } from '../datetimes.ts';
import { displayURN, redactURN } from '../../engine/urns/index.ts';
import { encodeContactRef } from '../../engine/urns/ref.ts';
import type { Workspace } from '../../models/workspaces.ts';

const EXIT_TYPES: Record<string, string | null> = { A: null, W: null, C: 'completed', I: 'interrupted', X: 'expired', F: 'failed' };

interface RunRow {
  id: number;
  uuid: string;
  status: string;
  responded: boolean;
  results: Record<string, any>;
  path: { node_uuid: string; arrived_on: string }[];
  created_on: string;
  modified_on: string;
  exited_on: string | null;
  flow_uuid: string;
  flow_name: string;
  contact_id: number;
  contact_uuid: string;
  contact_name: string | null;
  urn_scheme: string | null;
  urn_path: string | null;
  urn_display: string | null;
  start_uuid: string | null;
}

/** Engine times (nanoseconds, any offset) as the API renders run times: UTC, six fractional digits. */
function runTime(t: string | undefined | null): string | null {
  if (!t) return null;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(t);
  if (!m) return t;
  if (m[4] === 'Z') return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
  const d = new Date(`${m[1]}T${m[2]}${m[4]}`);
  return `${d.toISOString().slice(0, 19)}.${(m[3] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
}

function contactSummary(ws: Workspace, r: RunRow) {
  const urn = r.urn_scheme ? `${r.urn_scheme}:${r.urn_path}` : null;
  if (ws.isAnon) {
    const ref = encodeContactRef(r.contact_id);
    return { uuid: r.contact_uuid, name: r.contact_name, urn: urn ? redactURN(urn) : null, urn_display: null, ref, anon_display: ref };
  }
  const full = urn && r.urn_display ? `${urn}#${encodeURIComponent(r.urn_display)}` : urn;
  return { uuid: r.contact_uuid, name: r.contact_name, urn, urn_display: full ? displayURN(full) : null };
}

function serializeRun(ws: Workspace, r: RunRow, paths: boolean) {
  const values: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(r.results ?? {})) {
    values[key] = { value: v.value ?? null, category: v.category ?? null, node: v.node_uuid ?? null, time: runTime(v.created_on), name: v.name ?? null };
  }
  return {
    uuid: r.uuid,
    flow: { uuid: r.flow_uuid, name: r.flow_name },
    contact: contactSummary(ws, r),
    start: r.start_uuid ? { uuid: r.start_uuid } : null,
    responded: r.responded,
    path: paths ? (r.path ?? []).map((s) => ({ node: s.node_uuid, time: runTime(s.arrived_on) })) : null,
    values,
    created_on: formatDatetime(r.created_on),
    modified_on: formatDatetime(r.modified_on),
    exited_on: formatDatetime(r.exited_on),
    exit_type: EXIT_TYPES[r.status] ?? null,
    id: r.id,
  };
}

export const runs: Endpoint = {
  name: 'runs',
  scope: 'v2.runs',
  handlers: {
    async GET({ req, db, workspace }) {
      exclusiveParams(req, ['contact', 'flow']);
      let q = db
        .selectFrom('flow_runs as r')
        .innerJoin('flows as f', 'f.id', 'r.flow_id')
        .innerJoin('contacts as c', 'c.id', 'r.contact_id')
        .leftJoin('flow_starts as s', 's.id', 'r.start_id')
        .select([
          'r.id', 'r.uuid', 'r.status', 'r.responded', 'r.results', 'r.path', 'r.created_on', 'r.modified_on', 'r.exited_on',
          'f.uuid as flow_uuid', 'f.name as flow_name', 'c.id as contact_id', 'c.uuid as contact_uuid', 'c.name as contact_name',
          'r.modified_on as _order', 'r.id as _id',
          (eb) => eb.selectFrom('contact_urns as u').select('u.scheme').whereRef('u.contact_id', '=', 'c.id').orderBy('u.priority', 'desc').orderBy('u.id').limit(1).as('urn_scheme'),
          (eb) => eb.selectFrom('contact_urns as u').select('u.path').whereRef('u.contact_id', '=', 'c.id').orderBy('u.priority', 'desc').orderBy('u.id').limit(1).as('urn_path'),
          (eb) => eb.selectFrom('contact_urns as u').select('u.display').whereRef('u.contact_id', '=', 'c.id').orderBy('u.priority', 'desc').orderBy('u.id').limit(1).as('urn_display'),
          's.uuid as start_uuid',
        ])
        .where('r.org_id', '=', workspace.id);
      const uuid = uuidParam(req, 'uuid');
      if (uuid) q = q.where('r.uuid', '=', uuid);
      const id = intParam(req, 'id');
      if (id !== undefined) q = q.where('r.id', '=', id);
      const flow = uuidParam(req, 'flow');
      if (flow) q = q.where('f.uuid', '=', flow).where('f.is_active', '=', true);
      const contact = uuidParam(req, 'contact');
      if (contact) q = q.where('c.uuid', '=', contact);
      if (boolParam(req, 'responded')) q = q.where('r.responded', '=', true);
      for (const [name, op] of [['before', '<='], ['after', '>=']] as const) {
        const d = datetimeParam(req, name);
        if (d.invalid) q = q.where((eb) => eb.val(false));
        else if (d.value) q = q.where('r.modified_on', op, d.value);
      }
      const page = await paginate(req, q, { orderColumn: 'r.modified_on', idColumn: 'r.id', ascending: boolParam(req, 'reverse') });
      const paths = boolParam(req, 'paths', true);
      return { status: 200, body: { ...page, results: page.results.map((r) => serializeRun(workspace, r as unknown as RunRow, paths)) } };
    },
  },
};
