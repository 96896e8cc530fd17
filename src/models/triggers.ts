// Triggers (engine.md §5.5): created by importing an export document, exported with their flows,
// and matched against incoming messages (keyword first, then catch-all).
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { tokenize } from '../engine/excellent/words.ts';
import { createManualGroup } from './groups.ts';
import { InvalidInputError } from './errors.ts';

export const TRIGGER_TYPES = ['K', 'C', 'M', 'N', 'R', 'V', 'T', 'O', 'P', 'S'];
const MATCH_TYPES: Record<string, string> = { F: 'first_word', O: 'only_word' };

export interface TriggerImportSummary { created: number; updated: number; skipped: number }

type Ref = { uuid?: string; name?: string } | null | undefined;

async function resolveGroup(tx: Kysely<DB>, orgId: number, ref: Ref): Promise<number | null> {
  if (!ref || (!ref.uuid && !ref.name)) return null;
  const base = () => tx.selectFrom('contact_groups').select('id').where('org_id', '=', orgId).where('is_active', '=', true);
  const byUuid = ref.uuid && /^[0-9a-f-]{36}$/i.test(ref.uuid) ? await base().where('uuid', '=', ref.uuid).executeTakeFirst() : undefined;
  if (byUuid) return byUuid.id;
  const name = String(ref.name ?? '').trim();
  if (!name) return null;
  const byName = await base().where(sql`lower(name)`, '=', name.toLowerCase()).executeTakeFirst();
  if (byName) return byName.id;
  return (await createManualGroup(tx, orgId, name)).id;
}

const sameSet = (a: unknown[], b: unknown[]) => a.length === b.length && [...a].map(String).sort().join('\u0000') === [...b].map(String).sort().join('\u0000');

/**
 * Imports an export document's triggers. Flows are found by the UUIDs they were imported under
 * (`flowUuids` maps document UUIDs to saved ones), else by UUID or name in the workspace; triggers
 * whose flow cannot be found are skipped. A trigger equal to an existing active one (type,
 * keywords, match, channel, groups) points it at the imported flow instead of adding a copy.
 */
export async function importTriggers(tx: Kysely<DB>, orgId: number, triggers: unknown[], flowUuids: Map<string, string>): Promise<TriggerImportSummary> {
  const summary: TriggerImportSummary = { created: 0, updated: 0, skipped: 0 };
  for (const raw of triggers) {
    const t = raw as Record<string, any>;
    if (!t || typeof t !== 'object' || !TRIGGER_TYPES.includes(t.trigger_type)) throw new InvalidInputError(`invalid trigger in export: ${JSON.stringify(raw)}`);
    const ref = t.flow as Ref;
    const uuid = ref?.uuid ? flowUuids.get(ref.uuid) ?? ref.uuid : null;
    const flows = () => tx.selectFrom('flows').select('id').where('org_id', '=', orgId).where('is_active', '=', true);
    const flow = (uuid && /^[0-9a-f-]{36}$/i.test(uuid) ? await flows().where('uuid', '=', uuid).executeTakeFirst() : undefined)
      ?? (ref?.name ? await flows().where(sql`lower(name)`, '=', String(ref.name).toLowerCase()).executeTakeFirst() : undefined);
    if (!flow) { summary.skipped++; continue; }
    const keywords: string[] = t.trigger_type === 'K'
      ? (Array.isArray(t.keywords) ? t.keywords : t.keyword ? [t.keyword] : []).map((k: unknown) => String(k).trim()).filter(Boolean)
      : [];
    if (t.trigger_type === 'K' && !keywords.length) { summary.skipped++; continue; }
    const matchType = t.trigger_type === 'K' ? (t.match_type === 'O' ? 'O' : 'F') : null;
    const groupIds: number[] = [];
    for (const g of t.groups ?? []) { const id = await resolveGroup(tx, orgId, g); if (id !== null) groupIds.push(id); }
    const excludeIds: number[] = [];
    for (const g of t.exclude_groups ?? []) { const id = await resolveGroup(tx, orgId, g); if (id !== null) excludeIds.push(id); }
    const channel = t.channel?.uuid && /^[0-9a-f-]{36}$/i.test(t.channel.uuid)
      ? await tx.selectFrom('channels').select('id').where('org_id', '=', orgId).where('is_active', '=', true).where('uuid', '=', t.channel.uuid).executeTakeFirst()
      : undefined;
    const channelId = channel?.id ?? null;
    const existing = (await tx.selectFrom('triggers').selectAll().where('org_id', '=', orgId).where('is_active', '=', true).where('is_archived', '=', false)
      .where('trigger_type', '=', t.trigger_type).execute())
      .find((e) => sameSet(e.keywords.map((k) => k.toLowerCase()), keywords.map((k) => k.toLowerCase())) && e.match_type === matchType
        && Number(e.channel_id ?? 0) === Number(channelId ?? 0) && sameSet(e.group_ids, groupIds) && sameSet(e.exclude_group_ids, excludeIds)
        && (e.referrer_id ?? '') === String(t.referrer_id ?? ''));
    if (existing) {
      await tx.updateTable('triggers').set({ flow_id: flow.id, modified_on: sql`clock_timestamp()` }).where('id', '=', existing.id).execute();
      summary.updated++;
    } else {
      await tx.insertInto('triggers').values({
        uuid: randomUUID(), org_id: orgId, trigger_type: t.trigger_type, flow_id: flow.id, keywords, match_type: matchType, channel_id: channelId,
        referrer_id: t.referrer_id ? String(t.referrer_id) : null, group_ids: groupIds, exclude_group_ids: excludeIds,
      }).execute();
      summary.created++;
    }
  }
  return summary;
}

/** The active triggers of the given flows in export-document shape. */
export async function exportTriggers(db: Kysely<DB>, orgId: number, flowUuids: string[]): Promise<Record<string, unknown>[]> {
  if (!flowUuids.length) return [];
  const rows = await db.selectFrom('triggers as t').innerJoin('flows as f', 'f.id', 't.flow_id').leftJoin('channels as c', 'c.id', 't.channel_id')
    .select(['t.trigger_type', 't.keywords', 't.match_type', 't.group_ids', 't.exclude_group_ids', 't.referrer_id', 'f.uuid as flow_uuid', 'f.name as flow_name', 'c.uuid as channel_uuid', 'c.name as channel_name'])
    .where('t.org_id', '=', orgId).where('t.is_active', '=', true).where('t.is_archived', '=', false).where('f.uuid', 'in', flowUuids)
    .orderBy('t.id').execute();
  const groupIds = [...new Set(rows.flatMap((r) => [...r.group_ids, ...r.exclude_group_ids].map(Number)))];
  const groups = new Map((groupIds.length ? await db.selectFrom('contact_groups').select(['id', 'uuid', 'name']).where('org_id', '=', orgId).where('id', 'in', groupIds).execute() : [])
    .map((g) => [g.id, { uuid: g.uuid, name: g.name }]));
  const refs = (ids: number[]) => ids.map((id) => groups.get(Number(id))).filter(Boolean);
  return rows.map((r) => ({
    trigger_type: r.trigger_type,
    flow: { uuid: r.flow_uuid, name: r.flow_name },
    groups: refs(r.group_ids),
    exclude_groups: refs(r.exclude_group_ids),
    ...(r.trigger_type === 'K' && { keywords: r.keywords, match_type: r.match_type }),
    ...(r.referrer_id && { referrer_id: r.referrer_id }),
    channel: r.channel_uuid ? { uuid: r.channel_uuid, name: r.channel_name } : null,
  }));
}

export interface MatchedTrigger {
  type: 'K' | 'C';
  flowId: number;
  flowUuid: string;
  flowName: string;
  /** For keyword triggers, the engine's keyword_match. */
  keywordMatch?: { type: string; keyword: string };
}

/**
 * The trigger an incoming message fires (engine.md §5.5): keyword triggers on the first word
 * (first-word match, or only-word when it is the only word), else catch-all; candidates on another
 * channel, or whose groups exclude the contact, drop out; the most specific wins (channel +4,
 * groups +2, excluded groups +1), the oldest on ties.
 */
export async function findMessageTrigger(db: Kysely<DB>, orgId: number, contactId: number, channelId: number | null, text: string): Promise<MatchedTrigger | null> {
  const rows = await db.selectFrom('triggers as t').innerJoin('flows as f', 'f.id', 't.flow_id')
    .select(['t.id', 't.trigger_type', 't.keywords', 't.match_type', 't.channel_id', 't.group_ids', 't.exclude_group_ids', 'f.id as flow_id', 'f.uuid as flow_uuid', 'f.name as flow_name'])
    .where('t.org_id', '=', orgId).where('t.is_active', '=', true).where('t.is_archived', '=', false).where('t.trigger_type', 'in', ['K', 'C'])
    .where('f.is_active', '=', true).where('f.is_archived', '=', false)
    .orderBy('t.id').execute();
  if (!rows.length) return null;
  const words = tokenize(text ?? '');
  const keyword = (words[0] ?? '').toLocaleLowerCase();
  const byKeyword = keyword
    ? rows.filter((r) => r.trigger_type === 'K' && r.keywords.some((k) => k.toLocaleLowerCase() === keyword) && (r.match_type !== 'O' || words.length === 1))
    : [];
  const catchAlls = rows.filter((r) => r.trigger_type === 'C');
  if (!byKeyword.length && !catchAlls.length) return null;
  let inGroups: Set<number> | null = null;
  const contactGroups = async () => {
    inGroups ??= new Set((await db.selectFrom('contact_groups_contacts').select('group_id').where('contact_id', '=', contactId).execute()).map((g) => Number(g.group_id)));
    return inGroups;
  };
  const bestOf = async (candidates: typeof rows) => {
    let best: (typeof rows)[number] | null = null;
    let bestScore = -1;
    for (const r of candidates) {
      let score = 0;
      if (r.channel_id !== null) {
        if (Number(r.channel_id) !== channelId) continue;
        score += 4;
      }
      if (r.group_ids.length) {
        const groups = await contactGroups();
        if (!r.group_ids.some((g) => groups.has(Number(g)))) continue;
        score += 2;
      }
      if (r.exclude_group_ids.length) {
        const groups = await contactGroups();
        if (r.exclude_group_ids.some((g) => groups.has(Number(g)))) continue;
        score += 1;
      }
      if (score > bestScore) { best = r; bestScore = score; }
    }
    return best;
  };
  // no keyword trigger applying to this contact and channel: the catch-alls are next
  const best = (await bestOf(byKeyword)) ?? (await bestOf(catchAlls));
  if (!best) return null;
  return {
    type: best.trigger_type as 'K' | 'C', flowId: best.flow_id, flowUuid: best.flow_uuid, flowName: best.flow_name,
    ...(best.trigger_type === 'K' && { keywordMatch: { type: MATCH_TYPES[best.match_type ?? 'F'], keyword } }),
  };
}
