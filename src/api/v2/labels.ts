import { sql } from 'kysely';
import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { exclusiveParams, param, uuidParam } from '../params.ts';
import { limitReached, notFound } from '../errors.ts';
import { requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { requireUuidDeleteLookup, uuidWriteLookup } from '../uuid-lookup.ts';
import { saveNamed, validateNameBody } from './names.ts';
import { workspaceLimit } from '../../models/workspaces.ts';
import {
  labelsQuery, findLabelByUuid, labelMessageCounts, countLabels, labelNameTaken, createLabel, renameLabel, deleteLabel,
  type LabelRow,
} from '../../models/labels.ts';

export function serializeLabel(l: LabelRow, count: number) {
  return { uuid: l.uuid, name: l.name, count };
}

/** Message labels: list, create, rename, delete (deleting removes the label from its messages). */
export const labels: Endpoint = {
  name: 'labels',
  handlers: {
    async GET({ req, db, workspace }) {
      exclusiveParams(req, ['uuid', 'name']);
      let q = labelsQuery(db, workspace.id).select(['l.created_on as _order', 'l.id as _id']);
      const uuid = uuidParam(req, 'uuid');
      if (uuid) q = q.where('l.uuid', '=', uuid);
      const name = param(req, 'name');
      // no name holds a NUL (PostgreSQL text cannot): such a filter matches nothing rather than failing
      if (name) q = name.includes('\0') ? q.where(sql<boolean>`false`) : q.where(sql`lower(l.name)`, '=', name.toLowerCase());
      const page = await paginate(req, q, { orderColumn: 'l.created_on', idColumn: 'l.id' });
      const counts = await labelMessageCounts(db, page.results.map((l) => l.id));
      return { status: 200, body: { ...page, results: page.results.map((l) => serializeLabel(l as LabelRow, counts.get(l.id)!)) } };
    },

    async POST({ req, db, workspace, body }) {
      const uuid = uuidWriteLookup(req);
      const existing = uuid ? await findLabelByUuid(db, workspace.id, uuid) : undefined;
      if (uuid && !existing) throw notFound();
      if (!existing && (await countLabels(db, workspace.id)) >= workspaceLimit(workspace, 'labels')) throw limitReached();

      const data = requireObjectBody(body());
      checkWorkspaceWritable(workspace);
      const name = await validateNameBody(data, (n) => labelNameTaken(db, workspace.id, n, existing?.id));

      if (existing) {
        const updated = await saveNamed(() => renameLabel(db, workspace.id, existing.id, name));
        const counts = await labelMessageCounts(db, [updated.id]);
        return { status: 200, body: serializeLabel(updated, counts.get(updated.id)!) };
      }
      const created = await saveNamed(() => createLabel(db, workspace.id, name));
      return { status: 201, body: serializeLabel(created, 0) };
    },

    async DELETE({ req, db, workspace }) {
      const uuid = requireUuidDeleteLookup(req);
      const label = await findLabelByUuid(db, workspace.id, uuid);
      if (!label) throw notFound();
      await deleteLabel(db, workspace.id, label.id);
      return { status: 204 };
    },
  },
};
