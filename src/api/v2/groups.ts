import { sql } from 'kysely';
import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { boolParam, exclusiveParams, param, uuidParam } from '../params.ts';
import { ApiError, cannotDeleteSystem, cannotModifySystem, detail, limitReached, notFound } from '../errors.ts';
import { createSmartGroup, SmartGroupQueryError } from '../../models/smart-groups.ts';
import { requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { requireUuidDeleteLookup, uuidWriteLookup } from '../uuid-lookup.ts';
import { saveNamed, validateNameBody } from './names.ts';
import { workspaceLimit } from '../../models/workspaces.ts';
import {
  GROUP_STATUSES, MANUAL, groupDeleteBlocker, listedGroupsQuery, findGroupByUuid, groupMemberCounts, countUserGroups, groupNameTaken,
  createManualGroup, renameGroup, deleteGroup, type GroupRow,
} from '../../models/groups.ts';

export function serializeGroup(g: GroupRow, count: number) {
  return {
    uuid: g.uuid,
    name: g.name,
    query: g.query,
    status: GROUP_STATUSES[g.status],
    system: g.is_system,
    count,
  };
}

/**
 * Contact groups: list manual and smart groups (never the internal status groups, never ones still
 * initializing), create manual groups, rename, delete. System groups ("Open Tickets") are read-only.
 */
export const groups: Endpoint = {
  name: 'groups',
  handlers: {
    async GET({ req, db, workspace }) {
      exclusiveParams(req, ['uuid', 'name']);
      let q = listedGroupsQuery(db, workspace.id).select(['g.created_on as _order', 'g.id as _id']);
      const uuid = uuidParam(req, 'uuid');
      if (uuid) q = q.where('g.uuid', '=', uuid);
      const name = param(req, 'name');
      // no name holds a NUL (PostgreSQL text cannot): such a filter matches nothing rather than failing
      if (name) q = name.includes('\0') ? q.where(sql<boolean>`false`) : q.where(sql`lower(g.name)`, '=', name.toLowerCase());
      if (boolParam(req, 'manual_only')) q = q.where('g.group_type', '=', MANUAL);
      const page = await paginate(req, q, { orderColumn: 'g.created_on', idColumn: 'g.id' });
      const counts = await groupMemberCounts(db, page.results.map((g) => g.id));
      return { status: 200, body: { ...page, results: page.results.map((g) => serializeGroup(g as GroupRow, counts.get(g.id)!)) } };
    },

    async POST({ req, db, jobs, workspace, body }) {
      const uuid = uuidWriteLookup(req);
      const existing = uuid ? await findGroupByUuid(db, workspace.id, uuid) : undefined;
      if (uuid && !existing) throw notFound();
      if (existing?.is_system) throw cannotModifySystem();
      if (!existing && (await countUserGroups(db, workspace.id)) >= workspaceLimit(workspace, 'groups')) throw limitReached();

      const data = requireObjectBody(body());
      checkWorkspaceWritable(workspace);
      const name = await validateNameBody(data, (n) => groupNameTaken(db, workspace.id, n, existing?.id));
      // Extension: `query` on create makes a smart group (RapidPro's API cannot create them).
      const rawQuery = data.query === undefined || data.query === null ? null : data.query;
      // As upstream, an update ignores it: a group's query never changes.
      if (!existing && rawQuery !== null && (typeof rawQuery !== 'string' || !rawQuery.trim())) throw new ApiError(400, { query: ['Not a valid string.'] });
      const query = rawQuery as string | null;

      if (existing) {
        const updated = await saveNamed(() => renameGroup(db, workspace.id, existing.id, name));
        const counts = await groupMemberCounts(db, [updated.id]);
        return { status: 200, body: serializeGroup(updated, counts.get(updated.id)!) };
      }
      if (query !== null) {
        try {
          const smart = await saveNamed(() => createSmartGroup(db, workspace, name, query, jobs ? (n, d, o) => jobs.enqueue(n, d, o) : null));
          const row = await findGroupByUuid(db, workspace.id, smart.uuid);
          return { status: 201, body: serializeGroup(row!, (await groupMemberCounts(db, [row!.id])).get(row!.id)!) };
        } catch (e) {
          if (e instanceof SmartGroupQueryError) throw new ApiError(400, { query: [e.message] });
          throw e;
        }
      }
      const created = await saveNamed(() => createManualGroup(db, workspace.id, name));
      return { status: 201, body: serializeGroup(created, 0) };
    },

    async DELETE({ req, db, workspace }) {
      const uuid = requireUuidDeleteLookup(req);
      const group = await findGroupByUuid(db, workspace.id, uuid);
      if (!group) throw notFound();
      if (group.is_system) throw cannotDeleteSystem();
      const blocker = await groupDeleteBlocker(db, workspace.id, group.id);
      if (blocker) throw detail(400, `Group is being used by ${blocker} which must be archived first.`);
      await deleteGroup(db, workspace.id, group.id);
      return { status: 204 };
    },
  },
};
