import { sql } from 'kysely';
import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { datetimeParam, exclusiveParams, intParam, param, uuidParam, normalizeUuid } from '../params.ts';
import { badRequest, notFound } from '../errors.ts';
import { formatDatetime } from '../datetimes.ts';
import { BodyValidator, requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { uuidWriteLookup } from '../uuid-lookup.ts';
import type { Workspace } from '../../models/workspaces.ts';
import {
  FOLDERS, STATUS_NAMES, TYPE_NAMES, VISIBILITY_NAMES, activeChannels, channelRouter, inFolder, insertOutgoing, labelsOfMsgs, msgsQuery,
  urnsOfContacts, type Folder, type LabelRef,
} from '../../models/msgs.ts';
import { queueSendJobs } from '../../runtime/sender.ts';
import {
  MAX_ATTACHMENTS, MAX_QUICK_REPLIES, MAX_TEXT, attachmentErrors, attachmentMedia, attachmentObject, contactRefs, listOf, quickReplies,
} from './messaging-fields.ts';

const COLUMNS = [
  'm.id', 'm.uuid', 'm.direction', 'm.status', 'm.visibility', 'm.msg_type', 'm.text', 'm.attachments', 'm.quick_replies',
  'm.created_on', 'm.sent_on', 'm.modified_on', 'm.broadcast_id',
  'c.uuid as contact_uuid', 'c.name as contact_name', 'u.scheme as urn_scheme', 'u.path as urn_path', 'u.display as urn_display',
  'ch.uuid as channel_uuid', 'ch.name as channel_name', 'f.uuid as flow_uuid', 'f.name as flow_name',
] as const;

export interface MsgRead {
  id: number; uuid: string; direction: string; status: string; visibility: string; msg_type: string; text: string;
  attachments: string[]; quick_replies: unknown[]; created_on: string; sent_on: string | null; modified_on: string;
  broadcast_id: number | null; contact_uuid: string; contact_name: string | null; urn_scheme: string | null; urn_path: string | null;
  urn_display: string | null; channel_uuid: string | null; channel_name: string | null; flow_uuid: string | null; flow_name: string | null;
}

function withJoins<Q extends { leftJoin: (...a: any[]) => any }>(q: Q) {
  return (q as any)
    .innerJoin('contacts as c', 'c.id', 'm.contact_id')
    .leftJoin('contact_urns as u', 'u.id', 'm.contact_urn_id')
    .leftJoin('channels as ch', 'ch.id', 'm.channel_id')
    .leftJoin('flows as f', 'f.id', 'm.flow_id')
    .select([...COLUMNS]);
}

export function serializeMsg(m: MsgRead, labels: LabelRef[], ws: Workspace) {
  const urn = m.urn_scheme && m.urn_scheme !== 'deleted' && !ws.isAnon ? `${m.urn_scheme}:${m.urn_path}${m.urn_display ? `#${m.urn_display}` : ''}` : null;
  return {
    uuid: m.uuid,
    contact: { uuid: m.contact_uuid, name: m.contact_name },
    urn,
    channel: m.channel_uuid ? { uuid: m.channel_uuid, name: m.channel_name } : null,
    direction: m.direction === 'I' ? 'in' : 'out',
    type: TYPE_NAMES[m.msg_type] ?? 'text',
    status: STATUS_NAMES[m.status] ?? m.status,
    archived: m.visibility === 'A',
    visibility: VISIBILITY_NAMES[m.visibility] ?? m.visibility,
    text: m.text,
    labels: m.direction === 'I' ? labels : [],
    flow: m.flow_uuid ? { uuid: m.flow_uuid, name: m.flow_name } : null,
    attachments: m.attachments.map(attachmentObject),
    quick_replies: m.quick_replies ?? [],
    created_on: formatDatetime(m.created_on),
    sent_on: formatDatetime(m.sent_on),
    modified_on: formatDatetime(m.modified_on),
    media: m.attachments[0] ?? null,
    id: m.id,
    broadcast: m.broadcast_id,
  };
}

const EMPTY = { status: 200, body: { next: null, previous: null, results: [] } };

export const messages: Endpoint = {
  name: 'messages',
  scope: 'v2.messages',
  handlers: {
    async GET({ req, db, workspace }) {
      exclusiveParams(req, ['contact', 'folder', 'label', 'broadcast']);
      let q = withJoins(msgsQuery(db, workspace.id));
      const uuid = uuidParam(req, 'uuid');
      if (uuid) q = q.where('m.uuid', '=', uuid);
      const id = intParam(req, 'id');
      if (id !== undefined) q = q.where('m.id', '=', id);
      let sent = false;
      const folderRaw = param(req, 'folder');
      if (folderRaw) {
        const folder = folderRaw.toLowerCase();
        if (!(FOLDERS as readonly string[]).includes(folder)) return EMPTY;
        q = inFolder(q, folder as Folder);
        sent = folder === 'sent';
      }
      const contact = param(req, 'contact');
      if (contact) {
        const cu = normalizeUuid(contact);
        if (!cu) return EMPTY;
        q = q.where('c.uuid', '=', cu);
      }
      const label = param(req, 'label');
      if (label) {
        if (label.includes('\0')) return EMPTY;
        const lu = normalizeUuid(label);
        q = q.where('m.direction', '=', 'I').where(sql<boolean>`EXISTS (SELECT 1 FROM msg_labels_msgs lm JOIN msg_labels l ON l.id = lm.label_id
          WHERE lm.msg_id = m.id AND l.org_id = ${workspace.id} AND l.is_active AND (l.name = ${label}${lu ? sql` OR l.uuid = ${lu}::uuid` : sql``}))`);
      }
      const broadcast = param(req, 'broadcast');
      if (broadcast) {
        if (!/^\d+$/.test(broadcast.trim()) || !Number.isSafeInteger(Number(broadcast))) throw badRequest('Value for broadcast must be an integer');
        q = q.where('m.broadcast_id', '=', Number(broadcast));
      }
      const before = datetimeParam(req, 'before');
      const after = datetimeParam(req, 'after');
      if (before.invalid || after.invalid) return EMPTY;
      if (before.value) q = q.where('m.created_on', '<=', before.value);
      if (after.value) q = q.where('m.created_on', '>=', after.value);
      const orderColumn = sent ? 'm.sent_on' : 'm.created_on';
      q = q.select([`${orderColumn} as _order`, 'm.id as _id']);
      const page = await paginate(req, q, { orderColumn, idColumn: 'm.id' });
      const rows = page.results as unknown as MsgRead[];
      const labels = await labelsOfMsgs(db, rows.filter((m) => m.direction === 'I').map((m) => m.id));
      return { status: 200, body: { ...page, results: rows.map((m) => serializeMsg(m, labels.get(m.id) ?? [], workspace)) } };
    },

    async POST({ req, db, jobs, workspace, userId, body }) {
      const lookup = uuidWriteLookup(req);
      if (lookup && !(await msgsQuery(db, workspace.id).select('m.id').where('m.uuid', '=', lookup).executeTakeFirst())) throw notFound();

      const data = requireObjectBody(body());
      checkWorkspaceWritable(workspace);
      const v = new BodyValidator(data);
      let contactId: number | undefined;
      let contactStatus = 'A';
      if (!v.has('contact')) v.fail('contact', ['This field is required.']);
      else if (v.body.contact === null) v.fail('contact', ['This field may not be null.']);
      else {
        const found = await contactRefs(v, db, workspace.id, 'contact', [v.body.contact]);
        if (found) {
          contactId = found[0].id;
          contactStatus = found[0].status;
        }
      }
      const text = v.string('text', { maxLength: MAX_TEXT });
      let attachments: string[] = [];
      if (v.has('attachments')) {
        const raws = listOf(v, 'attachments', v.body.attachments, MAX_ATTACHMENTS);
        if (raws) {
          const r = attachmentErrors(raws, await attachmentMedia(db, workspace.id, raws));
          if ('error' in r) v.fail('attachments', [r.error]);
          else attachments = r.values;
        }
      }
      let qrs: ReturnType<typeof quickReplies> = { values: [] };
      if (v.has('quick_replies')) {
        const raws = listOf(v, 'quick_replies', v.body.quick_replies, MAX_QUICK_REPLIES);
        if (raws) {
          qrs = quickReplies(raws);
          if ('errors' in qrs) v.fail('quick_replies', qrs.errors);
        }
      }
      if (v.valid && !text && !attachments.length) v.nonField('Must provide either text or attachments.');
      v.throwIfInvalid();

      const [urns, channels] = await Promise.all([urnsOfContacts(db, workspace.id, [contactId!]), activeChannels(db, workspace.id)]);
      const route = channelRouter(channels).route(urns.get(contactId!) ?? []);
      const sendable = route && contactStatus === 'A';
      const created = await db.transaction().execute(async (tx) => {
        const [m] = await insertOutgoing(tx, workspace.id, [{
          contactId: contactId!, urnId: sendable ? route.urn.id : null, channelId: sendable ? route.channel.id : null,
          text: text ?? '', attachments, quickReplies: 'values' in qrs ? qrs.values : [],
          status: sendable ? 'Q' : 'F', failedReason: sendable ? null : contactStatus !== 'A' ? 'C' : 'D',
        }], { userId, highPriority: true });
        await queueSendJobs(jobs, tx, workspace.id, [m]);
        return m;
      });
      const row = (await withJoins(db.selectFrom('msgs as m').where('m.org_id', '=', workspace.id).where('m.id', '=', created.id)).executeTakeFirstOrThrow()) as MsgRead;
      return { status: lookup ? 200 : 201, body: serializeMsg(row, [], workspace) };
    },
  },
};
