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
import { importTriggers, exportTriggers, type TriggerImportSummary } from './triggers.ts';
import { sql } from 'kysely';

export const EXPORT_VERSION = '13';

export interface ImportSummary {
  flows: { uuid: string; name: string; created: boolean }[];
  fields: { key: string; created: boolean }[];
  groups: { uuid: string; name: string; created: boolean }[];
  /** Triggers created, pointed at an imported flow (already present), or skipped (flow not found). */
  triggers: TriggerImportSummary;
  /** Parts of the document this version does not import yet. */
  skipped: { campaigns: number };
}

/**
 * Imports a RapidPro export document (flows of any spec version, fields, groups) in one
 * transaction: fields and groups first (matched by key / name), then flows (by UUID, else name).
 */
export async function importDefinitions(db: Kysely<DB>, ws: Workspace, doc: unknown, enqueue: EnqueueFn, userId: number | null = null): Promise<ImportSummary> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new InvalidInputError('an export must be a JSON object');
  const d = doc as Record<string, any>;
  for (const k of ['flows', 'fields', 'groups', 'campaigns', 'triggers']) {
    if (d[k] !== undefined && !Array.isArray(d[k])) throw new InvalidInputError(`"${k}" must be a list`);
  }
  const summary: ImportSummary = { flows: [], fields: [], groups: [], triggers: { created: 0, updated: 0, skipped: 0 }, skipped: { campaigns: d.campaigns?.length ?? 0 } };
  const flowUuids = new Map<string, string>();
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
      if (existing) summary.groups.push({ uuid: existing.uuid, name: existing.name, created: false });
      else if (g.query) smartGroups.push({ name, query: String(g.query) });
      else {
        const created = await createManualGroup(tx, ws.id, name);
        summary.groups.push({ uuid: created.uuid, name, created: true });
      }
    }
    for (const flow of d.flows ?? []) {
      const saved = await saveFlow(tx, ws.id, flow, userId);
      const docUuid = flow?.uuid ?? flow?.metadata?.uuid;
      if (typeof docUuid === 'string') flowUuids.set(docUuid, saved.uuid);
      summary.flows.push({ uuid: saved.uuid, name: saved.name, created: saved.created });
    }
  });
  // Smart groups need the imported fields committed to validate their queries.
  for (const g of smartGroups) {
    const created = await createSmartGroup(db, ws, g.name, g.query, enqueue);
    summary.groups.push({ uuid: created.uuid, name: g.name, created: true });
  }
  // Triggers last: their groups may be the smart groups just created.
  if (d.triggers?.length) summary.triggers = await db.transaction().execute((tx) => importTriggers(tx, ws.id, d.triggers, flowUuids));
  return summary;
}

export type DependencyMode = 'none' | 'flows' | 'all';

/** An export document of the given flows (and, by mode, what they depend on). */
export async function exportDefinitions(db: Kysely<DB>, ws: Workspace, flowUuids: string[], mode: DependencyMode, site: string) {
  const rows = new Map<string, any>();
  const load = async (uuids: string[]) => {
    const missing = uuids.filter((u) => !rows.has(u));
    if (!missing.length) return [];
    const found = await db.selectFrom('flows').select(['uuid', 'definition']).where('org_id', '=', ws.id).where('is_active', '=', true).where('uuid', 'in', missing).execute();
    for (const r of found) rows.set(r.uuid, r.definition);
    return found.map((r) => r.definition);
  };
  let frontier = await load(flowUuids);
  while (mode !== 'none' && frontier.length) {
    const next = frontier.flatMap((def) => [...flowDependencies(def).flows]);
    frontier = await load(next);
  }
  const flows = [...rows.values()];
  let fields: { key: string; name: string; type: string }[] = [];
  let groups: { uuid: string; name: string; query: string | null }[] = [];
  if (mode === 'all' && flows.length) {
    const keys = new Set<string>();
    const groupUuids = new Set<string>();
    for (const def of flows) {
      const deps = flowDependencies(def);
      deps.fieldKeys.forEach((k) => keys.add(k));
      deps.groups.forEach((_n, u) => groupUuids.add(u));
    }
    if (keys.size) {
      fields = (await db.selectFrom('contact_fields').select(['key', 'name', 'value_type as type']).where('org_id', '=', ws.id).where('is_active', '=', true).where('is_system', '=', false).where('key', 'in', [...keys]).orderBy('key').execute());
    }
    const uuids = [...groupUuids].filter((u) => /^[0-9a-f-]{36}$/i.test(u));
    if (uuids.length) {
      groups = await db.selectFrom('contact_groups').select(['uuid', 'name', 'query']).where('org_id', '=', ws.id).where('is_active', '=', true).where('uuid', 'in', uuids).orderBy('name').execute();
    }
  }
  // triggers of the exported flows come with the flows and all modes
  const triggers = mode === 'none' ? [] : await exportTriggers(db, ws.id, [...rows.keys()]);
  return { version: EXPORT_VERSION, site, flows, campaigns: [], triggers, fields, groups };
}
