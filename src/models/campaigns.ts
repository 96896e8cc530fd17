// Campaigns (engine.md §5.3; RapidPro temba/campaigns): a group plus events fired relative to a
// contact datetime field. This module imports them from export documents and writes them back in
// the export shape; scheduling and firing the events is the scheduler's job (status/fire_version).
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { InvalidInputError } from './errors.ts';
import { createManualGroup } from './groups.ts';
import { isValidKey } from './keys.ts';
import { RESERVED_FIELD_KEYS } from './fields.ts';

export const EVENT_UNITS = ['M', 'H', 'D', 'W'] as const;
export const EVENT_TYPES = ['F', 'M'] as const;
export const START_MODES = ['I', 'S', 'P'] as const;
const SYSTEM_RELATIVE_TO = ['created_on', 'last_seen_on'];
const MAX_CAMPAIGN_NAME = 64;
const MAX_FIELD_NAME = 36;
const MAX_MSG_TEXT = 4096;

export interface CampaignEventDef {
  offset: number;
  unit: (typeof EVENT_UNITS)[number];
  delivery_hour: number;
  relative_to: { key: string; label: string };
  start_mode: (typeof START_MODES)[number];
  event_type: (typeof EVENT_TYPES)[number];
  flow?: { uuid: string; name: string };
  /** Message events: text by language, and the language to fall back to. */
  message?: Record<string, string>;
  base_language?: string;
}

export interface CampaignDef {
  uuid: string | null;
  name: string;
  group: { uuid: string | null; name: string };
  events: CampaignEventDef[];
}

export interface CampaignImportResult {
  uuid: string;
  name: string;
  created: boolean;
  events: number;
  /** Flow events whose flow is neither in the document nor in the workspace (RapidPro drops them too). */
  skipped_events: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);

/** RapidPro's clean_name for imported names: trimmed, cut to the limit, forbidden characters replaced. */
export function cleanName(original: string, max = MAX_CAMPAIGN_NAME): string {
  return original.trim().slice(0, max).trim().replace(/"/g, "'").replace(/\\/g, '/').replace(/\0/g, '');
}

const validName = (name: string, max: number) => name.length > 0 && name.length <= max && !/["\\\0]/.test(name) && name === name.trim();

function bad(what: string, value: unknown, why: string): never {
  const json = JSON.stringify(value);
  throw new InvalidInputError(`invalid ${what} in export (${why}): ${json.length > 200 ? `${json.slice(0, 200)}…` : json}`);
}

function integer(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

/**
 * A message event's text by language, as RapidPro reads it on import: a {lang: text} object, or a
 * string holding such JSON, or plain text (stored under "und"); "base" becomes "und"; a base
 * language without a translation falls back to the first one.
 */
function readMessage(raw: unknown, baseLanguage: unknown, event: unknown): { message: Record<string, string>; base: string } {
  let message: unknown = raw;
  let base = typeof baseLanguage === 'string' ? baseLanguage : '';
  if (typeof message === 'string') {
    try {
      message = JSON.parse(message);
    } catch {
      message = null;
    }
    if (!isObject(message)) {
      message = { base: raw };
      base = 'base';
    }
  }
  if (!isObject(message) || !Object.keys(message).length) bad('campaign event', event, 'message must be text or an object of texts by language');
  const out: Record<string, string> = {};
  for (const [lang, text] of Object.entries(message)) {
    if (typeof text !== 'string') bad('campaign event', event, `message text for "${lang}" must be a string`);
    if (text.length > MAX_MSG_TEXT) bad('campaign event', event, `message text for "${lang}" is longer than ${MAX_MSG_TEXT} characters`);
    out[lang === 'base' ? 'und' : lang] = text;
  }
  if ('base' in message) base = 'und';
  if (!(base in out)) base = Object.keys(out)[0];
  return { message: out, base };
}

/**
 * Checks and normalises the `campaigns` of an export document before anything is written, so a
 * bad document fails with a message naming the part at fault and leaves the workspace unchanged.
 */
export function readCampaignDefs(raw: unknown[]): CampaignDef[] {
  return raw.map((c) => {
    if (!isObject(c)) bad('campaign', c, 'must be an object');
    const name = typeof c.name === 'string' ? cleanName(c.name) : '';
    if (!name) bad('campaign', c, 'a name is required');
    if (!isObject(c.group) || typeof c.group.name !== 'string' || !cleanName(c.group.name)) bad('campaign', c, 'a group with a name is required');
    if (c.events !== undefined && !Array.isArray(c.events)) bad('campaign', c, '"events" must be a list');
    const events = (c.events ?? []).map((e: unknown): CampaignEventDef => {
      if (!isObject(e)) bad('campaign event', e, 'must be an object');
      const offset = integer(e.offset);
      if (offset === null) bad('campaign event', e, 'offset must be an integer');
      const unit = e.unit ?? 'D';
      if (!EVENT_UNITS.includes(unit)) bad('campaign event', e, 'unit must be one of M, H, D, W');
      const hour = integer(e.delivery_hour ?? -1);
      if (hour === null || hour < -1 || hour > 23) bad('campaign event', e, 'delivery_hour must be an integer from -1 to 23');
      if (!isObject(e.relative_to) || typeof e.relative_to.key !== 'string' || !e.relative_to.key) bad('campaign event', e, 'relative_to must name a field key');
      const key = e.relative_to.key;
      if (!SYSTEM_RELATIVE_TO.includes(key) && !isValidKey(key, RESERVED_FIELD_KEYS)) bad('campaign event', e, `"${key}" is not a valid contact field key`);
      const label = typeof e.relative_to.label === 'string' ? e.relative_to.label : typeof e.relative_to.name === 'string' ? e.relative_to.name : '';
      const startMode = e.start_mode ?? 'I';
      if (!START_MODES.includes(startMode)) bad('campaign event', e, 'start_mode must be one of I, S, P');
      const common = { offset, unit, delivery_hour: hour, relative_to: { key, label }, start_mode: startMode };
      if (e.event_type === 'M') {
        const { message, base } = readMessage(e.message, e.base_language, e);
        return { ...common, event_type: 'M', message, base_language: base };
      }
      if (e.event_type !== 'F' && e.event_type !== undefined) bad('campaign event', e, 'event_type must be F or M');
      if (!isObject(e.flow) || (!isUuid(e.flow.uuid) && typeof e.flow.name !== 'string')) bad('campaign event', e, 'a flow event needs a flow reference');
      return { ...common, event_type: 'F', flow: { uuid: String(e.flow.uuid ?? ''), name: String(e.flow.name ?? '') } };
    });
    return { uuid: isUuid(c.uuid) ? c.uuid.toLowerCase() : null, name, group: { uuid: isUuid(c.group.uuid) ? c.group.uuid.toLowerCase() : null, name: cleanName(c.group.name) }, events };
  });
}

/** `base` when free among the workspace's active rows of `table`, else `base 2`, `base 3`... (RapidPro's get_unique_name). */
async function uniqueName(tx: Kysely<DB>, table: 'campaigns' | 'contact_fields', orgId: number, base: string, max: number, exceptId?: number): Promise<string> {
  for (let n = 1; ; n++) {
    const suffix = n > 1 ? ` ${n}` : '';
    const name = `${base.slice(0, max - suffix.length)}${suffix}`;
    let q = tx.selectFrom(table).select('id').where('org_id', '=', orgId).where('is_active', '=', true).where(sql`lower(name)`, '=', name.toLowerCase());
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    if (!(await q.executeTakeFirst())) return name;
  }
}

/** The group a campaign runs on: by UUID, else by name, else a new manual group (as RapidPro). */
async function resolveGroup(tx: Kysely<DB>, orgId: number, ref: CampaignDef['group']): Promise<number> {
  const groups = () => tx.selectFrom('contact_groups').select('id').where('org_id', '=', orgId).where('is_active', '=', true);
  const found = (ref.uuid ? await groups().where('uuid', '=', ref.uuid).executeTakeFirst() : undefined)
    ?? await groups().where(sql`lower(name)`, '=', ref.name.toLowerCase()).executeTakeFirst();
  return found?.id ?? (await createManualGroup(tx, orgId, ref.name)).id;
}

/**
 * The datetime field an event is relative to: the system created_on / last_seen_on, else the user
 * field with that key — made a datetime field if it was not, renamed to the export's label — else
 * a new datetime field (ContactField.get_or_create with value_type datetime, as RapidPro imports).
 */
async function resolveRelativeTo(tx: Kysely<DB>, orgId: number, rel: CampaignEventDef['relative_to']): Promise<number> {
  const fields = () => tx.selectFrom('contact_fields').select(['id', 'name', 'value_type']).where('org_id', '=', orgId).where('is_active', '=', true);
  if (SYSTEM_RELATIVE_TO.includes(rel.key)) {
    const sys = await fields().where('is_system', '=', true).where('key', '=', rel.key).executeTakeFirst();
    if (!sys) throw new Error(`workspace ${orgId} has no system field ${rel.key}`);
    return sys.id;
  }
  const label = rel.label.trim();
  const labelOk = validName(label, MAX_FIELD_NAME);
  const existing = await fields().where('is_system', '=', false).where('key', '=', rel.key).executeTakeFirst();
  if (existing) {
    const name = labelOk && existing.name !== label ? await uniqueName(tx, 'contact_fields', orgId, label, MAX_FIELD_NAME, existing.id) : existing.name;
    if (name !== existing.name || existing.value_type !== 'datetime') {
      await tx.updateTable('contact_fields').set({ name, value_type: 'datetime', modified_on: sql`clock_timestamp()` }).where('id', '=', existing.id).execute();
    }
    return existing.id;
  }
  const base = labelOk ? label : rel.key.split('_').filter(Boolean).join(' ').replace(/^./, (c) => c.toUpperCase());
  const name = await uniqueName(tx, 'contact_fields', orgId, base.slice(0, MAX_FIELD_NAME), MAX_FIELD_NAME);
  const row = await tx.insertInto('contact_fields').values({ uuid: randomUUID(), org_id: orgId, key: rel.key, name, value_type: 'datetime' })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Imports campaigns (RapidPro's Campaign.import_campaigns): the campaign is found by UUID, else by
 * name, else created under a unique name; its group is found or created by name; its events are
 * all replaced by the document's. Flow events find their flow through `flowUuids` (document UUID →
 * imported UUID) or by UUID in the workspace, and are dropped when it cannot be found. Every event
 * is left needing scheduling (status S). Runs in the caller's transaction.
 */
export async function importCampaigns(tx: Kysely<DB>, orgId: number, defs: CampaignDef[], flowUuids: Map<string, string>, userId: number | null = null): Promise<CampaignImportResult[]> {
  const results: CampaignImportResult[] = [];
  for (const def of defs) {
    const groupId = await resolveGroup(tx, orgId, def.group);
    const campaigns = () => tx.selectFrom('campaigns').select(['id', 'uuid', 'name', 'group_id']).where('org_id', '=', orgId).where('is_active', '=', true);
    let campaign = (def.uuid ? await campaigns().where('uuid', '=', def.uuid).executeTakeFirst() : undefined);
    if (campaign) {
      const name = await uniqueName(tx, 'campaigns', orgId, def.name, MAX_CAMPAIGN_NAME, campaign.id);
      await tx.updateTable('campaigns').set({ name, group_id: groupId, modified_on: sql`clock_timestamp()` }).where('id', '=', campaign.id).execute();
      campaign = { ...campaign, name };
    } else {
      campaign = await campaigns().where(sql`lower(name)`, '=', def.name.toLowerCase()).executeTakeFirst();
      if (campaign) await tx.updateTable('campaigns').set({ group_id: groupId, modified_on: sql`clock_timestamp()` }).where('id', '=', campaign.id).execute();
    }
    const created = !campaign;
    if (!campaign) {
      // the document's UUID is kept when no campaign anywhere has it (UUIDs are global)
      const taken = def.uuid ? await tx.selectFrom('campaigns').select('id').where('uuid', '=', def.uuid).executeTakeFirst() : undefined;
      const uuid = def.uuid && !taken ? def.uuid : randomUUID();
      const name = await uniqueName(tx, 'campaigns', orgId, def.name, MAX_CAMPAIGN_NAME);
      const row = await tx.insertInto('campaigns').values({ uuid, org_id: orgId, name, group_id: groupId, created_by_id: userId })
        .returning(['id', 'uuid', 'name', 'group_id']).executeTakeFirstOrThrow();
      campaign = row;
    }
    await tx.updateTable('campaign_events').set({ is_active: false, modified_on: sql`clock_timestamp()` })
      .where('campaign_id', '=', campaign.id).where('is_active', '=', true).execute();
    let events = 0;
    let skipped = 0;
    for (const e of def.events) {
      const relativeToId = await resolveRelativeTo(tx, orgId, e.relative_to);
      const base = {
        uuid: randomUUID(), org_id: orgId, campaign_id: campaign.id, relative_to_id: relativeToId, offset: e.offset, unit: e.unit,
        delivery_hour: e.delivery_hour, start_mode: e.start_mode, status: 'S', created_by_id: userId,
      };
      if (e.event_type === 'M') {
        const translations = Object.fromEntries(Object.entries(e.message!).map(([lang, text]) => [lang, { text }]));
        await tx.insertInto('campaign_events').values({ ...base, event_type: 'M', translations: JSON.stringify(translations), base_language: e.base_language! }).execute();
      } else {
        const mapped = flowUuids.get(e.flow!.uuid) ?? e.flow!.uuid;
        const flow = isUuid(mapped)
          ? await tx.selectFrom('flows').select('id').where('org_id', '=', orgId).where('is_active', '=', true).where('uuid', '=', mapped).executeTakeFirst()
          : undefined;
        if (!flow) { skipped++; continue; }
        await tx.insertInto('campaign_events').values({ ...base, event_type: 'F', flow_id: flow.id }).execute();
      }
      events++;
    }
    results.push({ uuid: campaign.uuid, name: campaign.name, created, events, skipped_events: skipped });
  }
  return results;
}

/** A campaign as the dependency walk of an export sees it. */
export interface CampaignNode {
  id: number;
  uuid: string;
  isArchived: boolean;
  groupUuid: string;
  groupName: string;
  /** Flows of its active flow events. */
  flowUuids: string[];
}

/** The workspace's active campaigns (archived ones too) with their group and flow-event flows. */
export async function campaignGraph(db: Kysely<DB>, orgId: number): Promise<CampaignNode[]> {
  const rows = await db.selectFrom('campaigns as c').innerJoin('contact_groups as g', 'g.id', 'c.group_id')
    .leftJoin('campaign_events as e', (j) => j.onRef('e.campaign_id', '=', 'c.id').on('e.is_active', '=', true).on('e.event_type', '=', 'F'))
    .leftJoin('flows as f', 'f.id', 'e.flow_id')
    .select(['c.id', 'c.uuid', 'c.is_archived', 'g.uuid as group_uuid', 'g.name as group_name', 'f.uuid as flow_uuid'])
    .where('c.org_id', '=', orgId).where('c.is_active', '=', true)
    .orderBy('c.id').execute();
  const byId = new Map<number, CampaignNode>();
  for (const r of rows) {
    const node = byId.get(r.id) ?? { id: r.id, uuid: r.uuid, isArchived: r.is_archived, groupUuid: r.group_uuid, groupName: r.group_name, flowUuids: [] };
    if (r.flow_uuid) node.flowUuids.push(r.flow_uuid);
    byId.set(r.id, node);
  }
  return [...byId.values()];
}

export interface ExportedCampaigns {
  campaigns: Record<string, unknown>[];
  /** The non-system fields the events are relative to, and the campaigns' groups (for the export's dependencies). */
  fieldKeys: string[];
  groupUuids: string[];
}

/** Campaigns in export-document shape (RapidPro's Campaign.as_export_def), in the order given. */
export async function exportCampaigns(db: Kysely<DB>, orgId: number, campaignIds: number[]): Promise<ExportedCampaigns> {
  if (!campaignIds.length) return { campaigns: [], fieldKeys: [], groupUuids: [] };
  const campaigns = await db.selectFrom('campaigns as c').innerJoin('contact_groups as g', 'g.id', 'c.group_id')
    .select(['c.id', 'c.uuid', 'c.name', 'g.uuid as group_uuid', 'g.name as group_name'])
    .where('c.org_id', '=', orgId).where('c.id', 'in', campaignIds).execute();
  const events = await db.selectFrom('campaign_events as e').innerJoin('contact_fields as rf', 'rf.id', 'e.relative_to_id').leftJoin('flows as f', 'f.id', 'e.flow_id')
    .select(['e.campaign_id', 'e.uuid', 'e.offset', 'e.unit', 'e.event_type', 'e.delivery_hour', 'e.start_mode', 'e.translations', 'e.base_language',
      'rf.key as field_key', 'rf.name as field_name', 'rf.is_system as field_system', 'f.uuid as flow_uuid', 'f.name as flow_name'])
    .where('e.org_id', '=', orgId).where('e.campaign_id', 'in', campaignIds).where('e.is_active', '=', true)
    // RapidPro orders a campaign's exported events by their flow's UUID
    .orderBy(sql`f.uuid NULLS LAST`).orderBy('e.id').execute();
  const fieldKeys = new Set<string>();
  const byCampaign = new Map<number, Record<string, unknown>[]>();
  for (const e of events) {
    if (!e.field_system) fieldKeys.add(e.field_key);
    const def: Record<string, unknown> = {
      uuid: e.uuid, offset: e.offset, unit: e.unit, event_type: e.event_type, delivery_hour: e.delivery_hour,
      relative_to: { label: e.field_name, key: e.field_key }, start_mode: e.start_mode,
    };
    if (e.event_type === 'F') def.flow = { uuid: e.flow_uuid, name: e.flow_name };
    else {
      def.message = Object.fromEntries(Object.entries((e.translations ?? {}) as Record<string, { text: string }>).map(([lang, t]) => [lang, t.text]));
      def.base_language = e.base_language;
    }
    const list = byCampaign.get(e.campaign_id) ?? [];
    list.push(def);
    byCampaign.set(e.campaign_id, list);
  }
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const ordered = campaignIds.map((id) => byId.get(id)).filter((c): c is NonNullable<typeof c> => !!c);
  return {
    campaigns: ordered.map((c) => ({ uuid: c.uuid, name: c.name, group: { uuid: c.group_uuid, name: c.group_name }, events: byCampaign.get(c.id) ?? [] })),
    fieldKeys: [...fieldKeys],
    groupUuids: [...new Set(ordered.map((c) => c.group_uuid))],
  };
}
