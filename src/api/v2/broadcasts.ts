import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { datetimeParam, intParam, uuidParam } from '../params.ts';
import { notFound } from '../errors.ts';
import { formatDatetime } from '../datetimes.ts';
import { BodyValidator, requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { uuidWriteLookup } from '../uuid-lookup.ts';
import {
  BROADCAST_STATUS_NAMES, broadcastRecipients, broadcastsQuery, insertBroadcast, type BroadcastRow, type Recipients, type Translation,
} from '../../models/broadcasts.ts';
import { urnForWrite } from '../../models/urns.ts';
import type { Workspace } from '../../models/workspaces.ts';
import { queueBroadcast } from '../../runtime/broadcasts.ts';
import { MAX_REFS, attachmentMedia, contactRefs, groupRefs, isAllowedLanguage, listOf, translatedField } from './messaging-fields.ts';

export function serializeBroadcast(b: BroadcastRow, r: Recipients, ws: Workspace) {
  const langs = Object.keys(b.translations);
  const text: Record<string, string | null> = {};
  const attachments: Record<string, string[]> = {};
  const quickReplies: Record<string, unknown[]> = {};
  for (const l of langs) {
    const t = b.translations[l];
    text[l] = t.text ?? null;
    attachments[l] = t.attachments ?? [];
    quickReplies[l] = t.quick_replies ?? [];
  }
  return {
    uuid: b.uuid,
    status: BROADCAST_STATUS_NAMES[b.status] ?? b.status,
    progress: { total: b.contact_count > 0 ? b.contact_count : -1, started: b.msg_count },
    urns: ws.isAnon ? null : b.urns,
    contacts: r.contacts.get(b.id) ?? [],
    groups: r.groups.get(b.id) ?? [],
    text,
    attachments,
    quick_replies: quickReplies,
    base_language: b.base_language,
    created_on: formatDatetime(b.created_on),
    id: b.id,
  };
}

export const broadcasts: Endpoint = {
  name: 'broadcasts',
  handlers: {
    async GET({ req, db, workspace }) {
      let q = broadcastsQuery(db, workspace.id).select(['b.created_on as _order', 'b.id as _id']);
      const uuid = uuidParam(req, 'uuid');
      if (uuid) q = q.where('b.uuid', '=', uuid);
      const id = intParam(req, 'id');
      if (id !== undefined) q = q.where('b.id', '=', id);
      const before = datetimeParam(req, 'before');
      const after = datetimeParam(req, 'after');
      if (before.invalid || after.invalid) return { status: 200, body: { next: null, previous: null, results: [] } };
      if (before.value) q = q.where('b.created_on', '<=', before.value);
      if (after.value) q = q.where('b.created_on', '>=', after.value);
      const page = await paginate(req, q, { orderColumn: 'b.created_on', idColumn: 'b.id' });
      const rows = page.results as unknown as BroadcastRow[];
      const recipients = await broadcastRecipients(db, rows.map((b) => b.id));
      return { status: 200, body: { ...page, results: rows.map((b) => serializeBroadcast(b, recipients, workspace)) } };
    },

    async POST({ req, db, jobs, workspace, userId, body }) {
      // quirk: a lookup is honoured (404 when missing) but a new broadcast is created anyway, with 200
      const lookup = uuidWriteLookup(req);
      if (lookup && !(await broadcastsQuery(db, workspace.id).where('b.uuid', '=', lookup).executeTakeFirst())) throw notFound();

      const data = requireObjectBody(body());
      checkWorkspaceWritable(workspace);
      const v = new BodyValidator(data);
      const primary = workspace.languages[0] ?? 'und';

      const urns: string[] = [];
      if (v.has('urns')) {
        const raws = listOf(v, 'urns', v.body.urns, MAX_REFS);
        if (raws) {
          const errors: Record<string, string[]> = {};
          raws.forEach((raw, i) => {
            if (typeof raw !== 'string') {
              errors[String(i)] = ['Not a valid string.'];
              return;
            }
            const r = urnForWrite(raw, workspace.country);
            if (r.ok) urns.push(r.urn.display ? `${r.urn.identity}#${r.urn.display}` : r.urn.identity);
            else errors[String(i)] = r.problems.map((p) => p.message);
          });
          if (Object.keys(errors).length) v.fail('urns', errors);
        }
      }
      let contactIds: number[] = [];
      if (v.has('contacts')) {
        const raws = listOf(v, 'contacts', v.body.contacts, MAX_REFS);
        const found = raws && (await contactRefs(v, db, workspace.id, 'contacts', raws));
        if (found) contactIds = found.map((c) => c.id);
      }
      let groupIds: number[] = [];
      if (v.has('groups')) {
        const raws = listOf(v, 'groups', v.body.groups, MAX_REFS);
        const found = raws && (await groupRefs(v, db, workspace.id, 'groups', raws));
        if (found) groupIds = found;
      }
      const text = translatedField(v, 'text', primary) as Record<string, string> | undefined;
      const media = await attachmentMedia(db, workspace.id, v.body.attachments);
      const attachments = translatedField(v, 'attachments', primary, media) as Record<string, string[]> | undefined;
      const quickReplies = translatedField(v, 'quick_replies', primary) as Record<string, Translation['quick_replies']> | undefined;
      let baseLanguage: string | undefined;
      if (v.has('base_language')) {
        const bl = v.string('base_language');
        if (typeof bl === 'string' && v.errors.base_language === undefined) {
          if (!isAllowedLanguage(bl)) v.fail('base_language', ['Not an allowed ISO 639-3 language code.']);
          else baseLanguage = bl;
        }
      }
      if (v.valid) {
        const hasText = !!text && Object.keys(text).length > 0;
        const hasAttachments = !!attachments && Object.values(attachments).some((a) => a.length > 0);
        if (!hasText && !hasAttachments) v.nonField('Must provide either text or attachments.');
        else if (!urns.length && !contactIds.length && !groupIds.length) v.nonField('Must provide either urns, contacts or groups.');
        else if (baseLanguage !== undefined) {
          if (text && !text[baseLanguage]) v.nonField('No text translation provided in base language.');
          else if (!text && attachments && !attachments[baseLanguage]) v.nonField('No attachment translations provided in base language.');
          else if (quickReplies && !quickReplies[baseLanguage]) v.nonField('No quick_replies translations provided in base language.');
        }
      }
      v.throwIfInvalid();

      const translations: Record<string, Translation> = {};
      const langs = [...new Set([...Object.keys(text ?? {}), ...Object.keys(attachments ?? {}), ...Object.keys(quickReplies ?? {})])];
      for (const l of langs) translations[l] = { text: text?.[l] ?? null, attachments: attachments?.[l] ?? [], quick_replies: quickReplies?.[l] ?? [] };
      const created = await db.transaction().execute(async (tx) => {
        const b = await insertBroadcast(tx, workspace.id, { translations, baseLanguage: baseLanguage ?? langs[0], urns, contactIds, groupIds, userId });
        await queueBroadcast(jobs, tx, workspace.id, b.id);
        return b;
      });
      const recipients = await broadcastRecipients(db, [created.id]);
      return { status: lookup ? 200 : 201, body: serializeBroadcast(created, recipients, workspace) };
    },
  },
};
