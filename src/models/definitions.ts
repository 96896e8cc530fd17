import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { InvalidInputError } from './errors.ts';
import { saveFlow } from './flows.ts';
import { flowDependencies } from './flow-dependencies.ts';
import { keyFromName, isValidKey } from './keys.ts';
import { RESERVED_FIELD_KEYS, FIELD_TYPES, createField, findFieldByKey, type FieldType } from './fields.ts';
import { createManualGroup } from './groups.ts';
import { createSmartGroup, type EnqueueFn } from './smart-groups.ts';
import type { Workspace } from './workspaces.ts';
import { importTriggers, exportTriggers, checkTriggerDefs, type TriggerImportSummary } from './triggers.ts';
import { readCampaignDefs, importCampaigns, exportCampaigns, campaignGraph, type CampaignImportResult } from './campaigns.ts';
import { sql } from 'kysely';

export const EXPORT_VERSION = '13';
const isUuid = (u: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(u);
/** RapidPro reads exports from version 3 on (older ones are refused). */
const EARLIEST_IMPORT_VERSION = 3;

export interface ImportSummary {
  flows: { uuid: string; name: string; created: boolean }[];
  fields: { key: string; created: boolean }[];
  groups: { uuid: string; name: string; created: boolean }[];
  campaigns: CampaignImportResult[];
  /** Triggers created, pointed at an imported flow (already present), or skipped (flow not found, or a type RapidPro no longer imports). */
  triggers: TriggerImportSummary;
}

/** The definition with every mapped UUID replaced (UUIDs are unique tokens, so replacing them in the JSON text is exact). */
function remapUuids(definition: unknown, map: Map<string, string>): unknown {
  if (!map.size || !definition || typeof definition !== 'object') return definition;
  const text = JSON.stringify(definition).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (u) => map.get(u.toLowerCase()) ?? u);
  return JSON.parse(text);
}

function checkVersion(version: unknown): void {
  if (version === undefined || version === null) return; // goflow asset files (e.g. runner tests) carry none
  const v = typeof version === 'number' ? version : typeof version === 'string' && /^\d+(\.\d+)?$/.test(version.trim()) ? Number.parseFloat(version) : NaN;
  if (!(v >= EARLIEST_IMPORT_VERSION && v <= Number(EXPORT_VERSION))) throw new InvalidInputError(`Unsupported export version ${JSON.stringify(version)}`);
}

/**
 * Imports a RapidPro export document (RapidPro's Org.import_app): fields and groups first (matched
 * by key / name), then flows (any spec version, matched by UUID, else name), then campaigns and
 * triggers, which point at those. The document is checked before anything is written; flows,
 * fields and groups commit together, smart groups after (their queries need the fields), campaigns
 * and triggers last (their groups may be those smart groups).
 */
export async function importDefinitions(db: Kysely<DB>, ws: Workspace, doc: unknown, enqueue: EnqueueFn, userId: number | null = null): Promise<ImportSummary> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new InvalidInputError('an export must be a JSON object');
  const d = doc as Record<string, any>;
  checkVersion(d.version);
  for (const k of ['flows', 'fields', 'groups', 'campaigns', 'triggers']) {
    if (d[k] !== undefined && !Array.isArray(d[k])) throw new InvalidInputError(`"${k}" must be a list`);
  }
  const campaignDefs = readCampaignDefs(d.campaigns ?? []);
  checkTriggerDefs(d.triggers ?? []);
  const summary: ImportSummary = { flows: [], fields: [], groups: [], campaigns: [], triggers: { created: 0, updated: 0, skipped: 0 } };
  const flowUuids = new Map<string, string>();
  /** Group UUIDs of the document → the workspace's, for the flows' group references (RapidPro's dependency_mapping). */
  const groupUuids = new Map<string, string>();
  const smartGroups: { name: string; query: string }[] = [];
  await db.transaction().execute(async (tx) => {
    for (const f of d.fields ?? []) {
      const key = String(f?.key ?? keyFromName(String(f?.name ?? '')));
      const type = (f?.type ?? f?.value_type ?? 'text') === 'numeric' ? 'number' : (f?.type ?? f?.value_type ?? 'text');
      if (!isValidKey(key, RESERVED_FIELD_KEYS) || !FIELD_TYPES.includes(type)) throw new InvalidInputError(`invalid field in export: ${JSON.stringify(f)}`);
      const existing = await findFieldByKey(tx, ws.id, key);
      if (!existing) await createField(tx, ws.id, key, String(f.name ?? f.label ?? key).slice(0, 36), type as FieldType);
      summary.fields.push({ key, created: !existing });
    }
    for (const g of d.groups ?? []) {
      const name = String(g?.name ?? '').trim();
      if (!name) throw new InvalidInputError(`invalid group in export: ${JSON.stringify(g)}`);
      const existing = await tx.selectFrom('contact_groups').select(['uuid', 'name']).where('org_id', '=', ws.id).where('is_active', '=', true).where(sql`lower(name)`, '=', name.toLowerCase()).executeTakeFirst();
      const docUuid = typeof g.uuid === 'string' ? g.uuid.toLowerCase() : null;
      if (existing) summary.groups.push({ uuid: existing.uuid, name: existing.name, created: false });
      else if (g.query) smartGroups.push({ name, query: String(g.query) });
      else {
        const created = await createManualGroup(tx, ws.id, name);
        summary.groups.push({ uuid: created.uuid, name, created: true });
      }
      const mapped = summary.groups.at(-1);
      if (docUuid && isUuid(docUuid) && mapped?.name.toLowerCase() === name.toLowerCase() && mapped.uuid !== docUuid) groupUuids.set(docUuid, mapped.uuid);
    }
    for (const flow of d.flows ?? []) {
      const saved = await saveFlow(tx, ws.id, remapUuids(flow, groupUuids), userId);
      const docUuid = flow?.uuid ?? flow?.metadata?.uuid;
      if (typeof docUuid === 'string') flowUuids.set(docUuid, saved.uuid);
      // a RapidPro flow setting rather than part of the definition: read when the document states it
      if (typeof flow?.ignore_triggers === 'boolean') await tx.updateTable('flows').set({ ignore_triggers: flow.ignore_triggers }).where('id', '=', saved.id).execute();
      summary.flows.push({ uuid: saved.uuid, name: saved.name, created: saved.created });
    }
  });
  // Smart groups need the imported fields committed to validate their queries.
  for (const g of smartGroups) {
    const created = await createSmartGroup(db, ws, g.name, g.query, enqueue);
    summary.groups.push({ uuid: created.uuid, name: g.name, created: true });
  }
  // Campaigns and triggers last: their groups may be the smart groups just created.
  if (campaignDefs.length || d.triggers?.length) {
    await db.transaction().execute(async (tx) => {
      summary.campaigns = await importCampaigns(tx, ws.id, campaignDefs, flowUuids, userId);
      if (d.triggers?.length) summary.triggers = await importTriggers(tx, ws.id, d.triggers, flowUuids);
    });
  }
  return summary;
}

export type DependencyMode = 'none' | 'flows' | 'all';

/**
 * What an export of the given flows and campaigns holds besides them (RapidPro's
 * Org.resolve_dependencies): every flow, campaign and trigger connected to them in the workspace's
 * dependency graph, whose edges go both ways — a flow and the flows it starts, a flow and its
 * triggers, and (`all` only) a campaign and the flows of its events, a flow and the campaigns on a
 * group it uses. Archived flows and campaigns are not followed, as upstream.
 */
async function resolveComponents(db: Kysely<DB>, orgId: number, flowUuids: string[], campaignIds: number[], includeCampaigns: boolean) {
  const edges = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
    (edges.get(b) ?? edges.set(b, new Set()).get(b)!).add(a);
  };
  const flows = await db.selectFrom('flows').select(['uuid', 'definition']).where('org_id', '=', orgId).where('is_active', '=', true).where('is_archived', '=', false).execute();
  const campaigns = includeCampaigns ? await campaignGraph(db, orgId) : [];
  const campaignsByGroup = new Map<string, number[]>();
  // flows name groups by UUID and name; the name finds groups whose UUID changed on import
  for (const c of campaigns) {
    for (const key of [c.groupUuid, `name:${c.groupName.toLowerCase()}`]) campaignsByGroup.set(key, [...(campaignsByGroup.get(key) ?? []), c.id]);
  }
  for (const f of flows) {
    const deps = flowDependencies(f.definition);
    for (const sub of deps.flows) link(`f:${f.uuid}`, `f:${sub}`);
    for (const [groupUuid, groupName] of deps.groups) {
      for (const id of campaignsByGroup.get(groupUuid) ?? campaignsByGroup.get(`name:${groupName.toLowerCase()}`) ?? []) link(`f:${f.uuid}`, `c:${id}`);
    }
  }
  for (const c of campaigns) if (!c.isArchived) for (const f of c.flowUuids) link(`c:${c.id}`, `f:${f}`);
  // a trigger only links its own flow, so a flow's triggers are all that it brings: they are
  // exported with the flows (exportTriggers) rather than walked here
  const seen = new Set<string>();
  const queue = [...flowUuids.map((u) => `f:${u}`), ...campaignIds.map((id) => `c:${id}`)];
  while (queue.length) {
    const node = queue.shift()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const next of edges.get(node) ?? []) if (!seen.has(next)) queue.push(next);
  }
  const nodes = [...seen];
  return {
    flowUuids: nodes.filter((n) => n.startsWith('f:')).map((n) => n.slice(2)),
    campaignIds: nodes.filter((n) => n.startsWith('c:')).map((n) => Number(n.slice(2))),
  };
}

/**
 * An export document (RapidPro's DefinitionsEndpoint / Org.export_definitions) of the given flows
 * and campaigns: `none` just those; `flows` plus connected flows and their triggers; `all` plus
 * connected campaigns too, and the fields and groups everything uses.
 */
export async function exportDefinitions(db: Kysely<DB>, ws: Workspace, flowUuids: string[], mode: DependencyMode, site: string, campaignUuids: string[] = []) {
  flowUuids = flowUuids.filter(isUuid);
  campaignUuids = campaignUuids.filter(isUuid);
  const requestedFlows = flowUuids.length
    ? (await db.selectFrom('flows').select('uuid').where('org_id', '=', ws.id).where('is_active', '=', true).where('uuid', 'in', flowUuids).execute()).map((r) => r.uuid)
    : [];
  const requestedCampaigns = campaignUuids.length
    ? (await db.selectFrom('campaigns').select('id').where('org_id', '=', ws.id).where('is_active', '=', true).where('uuid', 'in', campaignUuids).orderBy('id').execute()).map((r) => r.id)
    : [];
  const components = mode === 'none' || (!requestedFlows.length && !requestedCampaigns.length)
    ? { flowUuids: requestedFlows, campaignIds: requestedCampaigns }
    : await resolveComponents(db, ws.id, requestedFlows, requestedCampaigns, mode === 'all');

  const wanted = components.flowUuids.filter(isUuid);
  const flowRows = wanted.length
    ? await db.selectFrom('flows').select(['uuid', 'definition', 'ignore_triggers']).where('org_id', '=', ws.id).where('is_active', '=', true).where('uuid', 'in', wanted).execute()
    : [];
  const byUuid = new Map(flowRows.map((r) => [r.uuid, r]));
  const flows = components.flowUuids.map((u) => byUuid.get(u)).filter((r): r is NonNullable<typeof r> => !!r).map((r) => {
    const { ignore_triggers: _stated, ...definition } = r.definition as Record<string, unknown>;
    return r.ignore_triggers ? { ...definition, ignore_triggers: true } : definition;
  });
  const exported = await exportCampaigns(db, ws.id, components.campaignIds);
  const triggers = mode === 'none' ? [] : await exportTriggers(db, ws.id, flowRows.map((r) => r.uuid));

  let fields: { key: string; name: string; type: string }[] = [];
  let groups: { uuid: string; name: string; query: string | null }[] = [];
  if (mode === 'all') {
    const keys = new Set<string>(exported.fieldKeys);
    const groupUuids = new Set<string>(exported.groupUuids);
    for (const def of flows) {
      const deps = flowDependencies(def);
      deps.fieldKeys.forEach((k) => keys.add(k));
      deps.groups.forEach((_n, u) => groupUuids.add(u));
    }
    for (const t of triggers) for (const g of (t.groups ?? []) as { uuid: string }[]) groupUuids.add(g.uuid);
    if (keys.size) {
      fields = await db.selectFrom('contact_fields').select(['key', 'name', 'value_type as type']).where('org_id', '=', ws.id).where('is_active', '=', true).where('is_system', '=', false).where('key', 'in', [...keys]).orderBy('key').execute();
    }
    const uuids = [...groupUuids].filter(isUuid);
    if (uuids.length) {
      groups = await db.selectFrom('contact_groups').select(['uuid', 'name', 'query']).where('org_id', '=', ws.id).where('is_active', '=', true).where('is_system', '=', false).where('uuid', 'in', uuids).orderBy('name').execute();
    }
  }
  return { version: EXPORT_VERSION, site, flows, campaigns: exported.campaigns, triggers, fields, groups };
}
