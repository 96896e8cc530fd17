import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { cannotModifySystem, limitReached, notFound } from '../errors.ts';
import { formatDatetime } from '../datetimes.ts';
import { requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { uuidWriteLookup } from '../uuid-lookup.ts';
import { saveNamed, validateNameBody } from './names.ts';
import { workspaceLimit } from '../../models/workspaces.ts';
import {
  topicsQuery, findTopicByUuid, topicTicketCounts, countUserTopics, topicNameTaken, createTopic, renameTopic,
  type TopicRow, type TicketCounts,
} from '../../models/topics.ts';

export function serializeTopic(t: TopicRow, counts: TicketCounts) {
  return {
    uuid: t.uuid,
    name: t.name,
    counts: { open: counts.open, closed: counts.closed },
    system: t.is_system,
    created_on: formatDatetime(t.created_on),
  };
}

/** Ticket topics: list (no filters), create, rename. The default topic "General" is read-only; no DELETE. */
export const topics: Endpoint = {
  name: 'topics',
  handlers: {
    async GET({ req, db, workspace }) {
      const q = topicsQuery(db, workspace.id).select(['t.created_on as _order', 't.id as _id']);
      const page = await paginate(req, q, { orderColumn: 't.created_on', idColumn: 't.id' });
      const counts = await topicTicketCounts(db, workspace.id, page.results.map((t) => t.id));
      return { status: 200, body: { ...page, results: page.results.map((t) => serializeTopic(t as TopicRow, counts.get(t.id)!)) } };
    },

    async POST({ req, db, workspace, body }) {
      const uuid = uuidWriteLookup(req);
      const existing = uuid ? await findTopicByUuid(db, workspace.id, uuid) : undefined;
      if (uuid && !existing) throw notFound();
      if (existing?.is_system) throw cannotModifySystem();
      if (!existing && (await countUserTopics(db, workspace.id)) >= workspaceLimit(workspace, 'topics')) throw limitReached();

      const data = requireObjectBody(body());
      checkWorkspaceWritable(workspace);
      const name = await validateNameBody(data, (n) => topicNameTaken(db, workspace.id, n, existing?.id));

      if (existing) {
        const updated = await saveNamed(() => renameTopic(db, workspace.id, existing.id, name));
        const counts = await topicTicketCounts(db, workspace.id, [updated.id]);
        return { status: 200, body: serializeTopic(updated, counts.get(updated.id)!) };
      }
      const created = await saveNamed(() => createTopic(db, workspace.id, name));
      return { status: 201, body: serializeTopic(created, { open: 0, closed: 0 }) };
    },
  },
};
