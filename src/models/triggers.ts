// Triggers (engine.md §5.5): created by importing an export document, exported with their flows,
// and matched against incoming messages (keyword first, then catch-all) and channel events.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { tokenize } from '../engine/excellent/words.ts';
import { createManualGroup } from './groups.ts';
import { InvalidInputError } from './errors.ts';

/**
 * RapidPro's trigger types: K keyword, C catch all, M missed call, N new conversation, R referral,
 * V inbound call, T closed ticket, S schedule. On import RapidPro drops S (exports carry no
 * schedule) and the removed I / O (opt-in / opt-out) types.
 */
export const TRIGGER_TYPES = ['K', 'C', 'M', 'N', 'R', 'V', 'T'];
const DROPPED_ON_IMPORT = ['S', 'I', 'O'];
/** Types that are tied to a channel, so their exports carry it (ChannelTriggerType upstream). */
const CHANNEL_TYPES = ['K', 'C', 'V', 'N', 'R'];
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

/** Checks an export document's triggers before anything is imported (RapidPro's clean_import_def). */
export function checkTriggerDefs(triggers: unknown[]): void {
  for (const raw of triggers) {
    const t = raw as Record<string, any>;
    if (!t || typeof t !== 'object' || Array.isArray(t)) throw new InvalidInputError(`invalid trigger in export: ${JSON.stringify(raw)}`);
    if (!TRIGGER_TYPES.includes(t.trigger_type) && !DROPPED_ON_IMPORT.includes(t.trigger_type)) {
      throw new InvalidInputError(`invalid trigger in export (${JSON.stringify(t.trigger_type ?? null)} is not a valid trigger type): ${JSON.stringify(raw)}`);
    }
  }
}

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
    if (t && typeof t === 'object' && DROPPED_ON_IMPORT.includes(t.trigger_type)) { summary.skipped++; continue; }
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

/**
 * The active triggers of the given flows in export-document shape (RapidPro's TriggerType.export_def:
 * channel only for channel-bound types, keywords and match type only for keyword triggers, groups by
 * name). Scheduled triggers are not exported.
 */
export async function exportTriggers(db: Kysely<DB>, orgId: number, flowUuids: string[]): Promise<Record<string, unknown>[]> {
  if (!flowUuids.length) return [];
  const rows = await db.selectFrom('triggers as t').innerJoin('flows as f', 'f.id', 't.flow_id').leftJoin('channels as c', 'c.id', 't.channel_id')
    .select(['t.trigger_type', 't.keywords', 't.match_type', 't.group_ids', 't.exclude_group_ids', 'f.uuid as flow_uuid', 'f.name as flow_name', 'c.uuid as channel_uuid', 'c.name as channel_name'])
    .where('t.org_id', '=', orgId).where('t.is_active', '=', true).where('t.is_archived', '=', false).where('t.trigger_type', '!=', 'S').where('f.uuid', 'in', flowUuids)
    .orderBy('t.id').execute();
  const groupIds = [...new Set(rows.flatMap((r) => [...r.group_ids, ...r.exclude_group_ids].map(Number)))];
  const groups = new Map((groupIds.length ? await db.selectFrom('contact_groups').select(['id', 'uuid', 'name']).where('org_id', '=', orgId).where('id', 'in', groupIds).execute() : [])
    .map((g) => [g.id, { uuid: g.uuid, name: g.name }]));
  const refs = (ids: number[]) => ids.map((id) => groups.get(Number(id))).filter((g): g is { uuid: string; name: string } => !!g).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return rows.map((r) => ({
    trigger_type: r.trigger_type,
    flow: { uuid: r.flow_uuid, name: r.flow_name },
    groups: refs(r.group_ids),
    exclude_groups: refs(r.exclude_group_ids),
    ...(CHANNEL_TYPES.includes(r.trigger_type) && { channel: r.channel_uuid ? { uuid: r.channel_uuid, name: r.channel_name } : null }),
    ...(r.trigger_type === 'K' && { keywords: r.keywords, match_type: r.match_type }),
  }));
}

export interface MatchedTrigger {
  type: 'K' | 'C';
  flowId: number;
  flowUuid: string;
  flowName: string;
  /** For keyword triggers, the engine's keyword_match (the trigger's own spelling of the keyword). */
  keywordMatch?: { type: string; keyword: string };
}

interface Candidate { id: number; channel_id: number | null; group_ids: number[]; exclude_group_ids: number[] }

/**
 * The most specific candidate (mailroom's findBestTriggerMatch): one on another channel, or whose
 * groups do not include the contact, or whose excluded groups do, drops out; channel +4, groups +2,
 * excluded groups +1; the first (oldest) wins ties. Without a contact (channel events match without
 * one, as upstream) a trigger limited to groups never matches and exclusions always pass.
 */
async function bestMatch<T extends Candidate>(db: Kysely<DB>, candidates: T[], channelId: number | null, contactId: number | null): Promise<T | null> {
  let inGroups: Set<number> | null = null;
  const contactGroups = async () => {
    inGroups ??= contactId === null ? new Set()
      : new Set((await db.selectFrom('contact_groups_contacts').select('group_id').where('contact_id', '=', contactId).execute()).map((g) => Number(g.group_id)));
    return inGroups;
  };
  let best: T | null = null;
  let bestScore = -1;
  for (const r of candidates) {
    let score = 0;
    if (r.channel_id !== null && channelId !== null) {
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
}

/** Active, unarchived triggers of the given types whose flows are active and unarchived, oldest first. */
function activeTriggers(db: Kysely<DB>, orgId: number, types: string[]) {
  return db.selectFrom('triggers as t').innerJoin('flows as f', 'f.id', 't.flow_id')
    .select(['t.id', 't.trigger_type', 't.keywords', 't.match_type', 't.channel_id', 't.referrer_id', 't.group_ids', 't.exclude_group_ids', 'f.id as flow_id', 'f.uuid as flow_uuid', 'f.name as flow_name'])
    .where('t.org_id', '=', orgId).where('t.is_active', '=', true).where('t.is_archived', '=', false).where('t.trigger_type', 'in', types)
    .where('f.is_active', '=', true).where('f.is_archived', '=', false)
    .orderBy('t.id');
}

/** What findMessageTrigger matches against: the workspace's active keyword and catch-all triggers. */
export type MessageTriggerRow = Awaited<ReturnType<typeof activeMessageTriggers>>[number];

/** The workspace's active keyword and catch-all triggers, oldest first (callers may keep them while unchanged). */
export function activeMessageTriggers(db: Kysely<DB>, orgId: number) {
  return activeTriggers(db, orgId, ['K', 'C']).execute();
}

/**
 * The trigger an incoming message matches (engine.md §5.5, mailroom's FindMatchingMsgTrigger):
 * keyword triggers on the first word (first-word match, or only-word when it is the only word),
 * compared case-insensitively; if none applies to this contact and channel, the catch-alls.
 * `candidates`: activeMessageTriggers' rows when the caller has them already.
 */
export async function findMessageTrigger(
  db: Kysely<DB>, orgId: number, contactId: number, channelId: number | null, text: string, candidates?: MessageTriggerRow[],
): Promise<MatchedTrigger | null> {
  const rows = candidates ?? await activeMessageTriggers(db, orgId);
  if (!rows.length) return null;
  const words = tokenize(text ?? '');
  const keyword = (words[0] ?? '').toLocaleLowerCase();
  const matchedKeyword = new Map<number, string>();
  const byKeyword = keyword
    ? rows.filter((r) => {
      if (r.trigger_type !== 'K' || (r.match_type === 'O' && words.length !== 1)) return false;
      const k = r.keywords.find((k) => k.toLocaleLowerCase() === keyword);
      if (k !== undefined) matchedKeyword.set(r.id, k);
      return k !== undefined;
    })
    : [];
  const catchAlls = rows.filter((r) => r.trigger_type === 'C');
  if (!byKeyword.length && !catchAlls.length) return null;
  const best = (await bestMatch(db, byKeyword, channelId, contactId)) ?? (await bestMatch(db, catchAlls, channelId, contactId));
  if (!best) return null;
  return {
    type: best.trigger_type as 'K' | 'C', flowId: best.flow_id, flowUuid: best.flow_uuid, flowName: best.flow_name,
    ...(best.trigger_type === 'K' && { keywordMatch: { type: MATCH_TYPES[best.match_type ?? 'F'], keyword: matchedKeyword.get(best.id)! } }),
  };
}

/**
 * The trigger an incoming message fires, given the contact's waiting session (none when nothing
 * waits): a keyword trigger unless that flow ignores triggers, a catch-all only when
 * nothing waits (mailroom's msg_received handling). Null means: resume the waiting session, if any.
 */
export async function messageTriggerToFire(
  db: Kysely<DB>, orgId: number, contactId: number, channelId: number | null, text: string, waiting: { current_flow_id: number | null } | null | undefined,
  candidates?: MessageTriggerRow[],
): Promise<MatchedTrigger | null> {
  const trigger = await findMessageTrigger(db, orgId, contactId, channelId, text, candidates);
  if (!trigger || !waiting) return trigger;
  if (trigger.type === 'C') return null;
  if (waiting.current_flow_id === null) return trigger;
  const waitingFlow = await db.selectFrom('flows').select('ignore_triggers').where('org_id', '=', orgId).where('id', '=', waiting.current_flow_id).where('is_active', '=', true).executeTakeFirst();
  return waitingFlow?.ignore_triggers ? null : trigger;
}

export interface MatchedEventTrigger { type: 'N' | 'R' | 'M'; flowId: number; flowUuid: string; flowName: string }

/**
 * The trigger a channel event fires (mailroom's FindMatchingNewConversationTrigger /
 * FindMatchingReferralTrigger / FindMatchingMissedCallTrigger): new conversation N, referral R
 * (matched on the referrer id ignoring case, else a referral trigger without one), missed call M.
 * These match on the channel only: no contact is considered.
 */
export async function findChannelEventTrigger(db: Kysely<DB>, orgId: number, channelId: number, type: 'N' | 'R' | 'M', referrerId = ''): Promise<MatchedEventTrigger | null> {
  const rows = await activeTriggers(db, orgId, [type]).execute();
  if (!rows.length) return null;
  let best: (typeof rows)[number] | null;
  if (type === 'R') {
    best = await bestMatch(db, rows.filter((r) => (r.referrer_id ?? '').toLowerCase() === referrerId.toLowerCase()), channelId, null)
      ?? await bestMatch(db, rows.filter((r) => !r.referrer_id), channelId, null);
  } else {
    best = await bestMatch(db, rows, channelId, null);
  }
  return best ? { type, flowId: best.flow_id, flowUuid: best.flow_uuid, flowName: best.flow_name } : null;
}
