import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { param, uuidParam, datetimeParam } from '../params.ts';
import { ApiError } from '../errors.ts';
import { formatDatetime } from '../datetimes.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { API_FLOW_TYPES, flowResults, parentRefs, flowRunCounts, saveFlow, FlowDefinitionError } from '../../models/flows.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

interface FlowRow {
  id: number;
  uuid: string;
  name: string;
  flow_type: string;
  is_archived: boolean;
  expires_after_minutes: number;
  definition: any;
  created_on: string;
  modified_on: string;
}

async function serializeFlows(db: Kysely<DB>, rows: FlowRow[]) {
  const ids = rows.map((r) => r.id);
  const [counts, labels] = await Promise.all([
    flowRunCounts(db, ids),
    ids.length
      ? db.selectFrom('flows_labels as fl').innerJoin('flow_labels as l', 'l.id', 'fl.label_id').select(['fl.flow_id', 'l.uuid', 'l.name']).where('fl.flow_id', 'in', ids).orderBy('l.name').execute()
      : Promise.resolve([]),
  ]);
  return rows.map((r) => ({
    uuid: r.uuid,
    name: r.name,
    type: r.flow_type,
    archived: r.is_archived,
    labels: labels.filter((l) => l.flow_id === r.id).map((l) => ({ uuid: l.uuid, name: l.name })),
    expires: r.flow_type === 'survey' ? 0 : r.expires_after_minutes,
    runs: counts.get(r.id),
    results: flowResults(r.definition),
    parent_refs: parentRefs(r.definition),
    created_on: formatDatetime(r.created_on),
    modified_on: formatDatetime(r.modified_on),
  }));
}

const COLUMNS = ['f.id', 'f.uuid', 'f.name', 'f.flow_type', 'f.is_archived', 'f.expires_after_minutes', 'f.definition', 'f.created_on', 'f.modified_on'] as const;

export const flows: Endpoint = {
  name: 'flows',
  handlers: {
    async GET({ req, db, workspace }) {
      let q = db
        .selectFrom('flows as f')
        .select([...COLUMNS, 'f.created_on as _order', 'f.id as _id'])
        .where('f.org_id', '=', workspace.id)
        .where('f.is_active', '=', true);
      const uuid = uuidParam(req, 'uuid');
      if (uuid) q = q.where('f.uuid', '=', uuid);
      const type = param(req, 'type');
      if (type) q = API_FLOW_TYPES.includes(type) ? q.where('f.flow_type', '=', type) : q.where((eb) => eb.val(false));
      const archived = param(req, 'archived');
      if (archived !== undefined) q = q.where('f.is_archived', '=', ['true', 'y', 'yes', '1'].includes(archived.toLowerCase()));
      for (const [name, op] of [['before', '<='], ['after', '>=']] as const) {
        const d = datetimeParam(req, name);
        if (d.invalid) q = q.where((eb) => eb.val(false));
        else if (d.value) q = q.where('f.modified_on', op, d.value);
      }
      const page = await paginate(req, q, { orderColumn: 'f.created_on', idColumn: 'f.id' });
      return { status: 200, body: { ...page, results: await serializeFlows(db, page.results as FlowRow[]) } };
    },

    /** Extension: create or update a flow from a definition of any supported spec version. */
    async POST({ db, workspace, userId, body }) {
      const definition = body();
      checkWorkspaceWritable(workspace);
      let saved;
      try {
        saved = await db.transaction().execute((tx) => saveFlow(tx, workspace.id, definition, userId));
      } catch (e) {
        if (e instanceof FlowDefinitionError) throw new ApiError(400, { definition: [e.message] });
        throw e;
      }
      const row = await db.selectFrom('flows as f').select([...COLUMNS]).where('f.id', '=', saved.id).executeTakeFirstOrThrow();
      return { status: saved.created ? 201 : 200, body: (await serializeFlows(db, [row as FlowRow]))[0] };
    },
  },
};
