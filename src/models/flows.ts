import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { readFlow, type Flow, type FlowType } from '../engine/flows/index.ts';
import { snakify } from '../engine/flows/core/results.ts';
import { defaultExpireAfterMinutes } from '../engine/flows/definition/flow.ts';
import { InvalidInputError } from './errors.ts';

/** API flow type names for the engine's. */
const API_TYPES: Record<FlowType, string> = {
  messaging: 'message',
  voice: 'voice',
  messaging_background: 'background',
  messaging_offline: 'survey',
};
export const API_FLOW_TYPES = Object.values(API_TYPES);

export function apiFlowType(t: FlowType): string {
  return API_TYPES[t];
}

export interface FlowResultInfo {
  key: string;
  name: string;
  categories: string[];
  node_uuids: string[];
}

/**
 * The results a flow can write, in node order: routers that save a result and set_run_result
 * actions, merged by key (categories and nodes in order of first appearance).
 */
export function flowResults(definition: any): FlowResultInfo[] {
  const byKey = new Map<string, FlowResultInfo>();
  const add = (name: string, categories: string[], node: string) => {
    const key = snakify(name);
    if (!key) return;
    const r = byKey.get(key) ?? { key, name, categories: [], node_uuids: [] };
    for (const c of categories) if (!r.categories.includes(c)) r.categories.push(c);
    if (!r.node_uuids.includes(node)) r.node_uuids.push(node);
    byKey.set(key, r);
  };
  for (const node of definition.nodes ?? []) {
    for (const action of node.actions ?? []) {
      if (action.type === 'set_run_result' && action.name) add(action.name, action.category ? [action.category] : [], node.uuid);
    }
    if (node.router?.result_name) add(node.router.result_name, (node.router.categories ?? []).map((c: any) => c.name), node.uuid);
  }
  return [...byKey.values()];
}

/** Result keys of a parent flow that this flow reads through `@parent.results.<key>`. */
export function parentRefs(definition: any): string[] {
  const keys = new Set<string>();
  const text = JSON.stringify(definition.nodes ?? []);
  for (const m of text.matchAll(/parent\.results\.([A-Za-z0-9_]+)/g)) keys.add(m[1].toLowerCase());
  return [...keys].sort();
}

export class FlowDefinitionError extends InvalidInputError {}

/** Reads (migrating from any supported spec version) and validates a definition. */
export function parseFlowDefinition(json: unknown): Flow {
  try {
    return readFlow(json);
  } catch (e) {
    throw new FlowDefinitionError((e as Error).message);
  }
}

export interface SavedFlow {
  id: number;
  uuid: string;
  name: string;
  created: boolean;
}

/**
 * Creates or updates a flow from a definition: matched by UUID within the workspace, else by name;
 * an update stores a new revision. A UUID already used by another workspace's flow gets a fresh
 * one (UUIDs are global). Runs in the caller's transaction.
 */
export async function saveFlow(tx: Kysely<DB>, orgId: number, json: unknown, userId: number | null = null): Promise<SavedFlow> {
  const flow = parseFlowDefinition(json);
  const existing =
    (await tx.selectFrom('flows').select(['id', 'uuid', 'revision']).where('org_id', '=', orgId).where('uuid', '=', flow.uuid).where('is_active', '=', true).executeTakeFirst()) ??
    (await tx.selectFrom('flows').select(['id', 'uuid', 'revision']).where('org_id', '=', orgId).where(sql`lower(name)`, '=', flow.name.toLowerCase()).where('is_active', '=', true).executeTakeFirst());
  const expires = flow.expireAfterMinutes || defaultExpireAfterMinutes(flow.type);
  if (existing) {
    const revision = existing.revision + 1;
    const definition = { ...flow.definition, uuid: existing.uuid, revision };
    await tx
      .updateTable('flows')
      .set({ name: flow.name, flow_type: apiFlowType(flow.type), spec_version: flow.specVersion, revision, definition: JSON.stringify(definition), expires_after_minutes: expires, modified_on: sql`clock_timestamp()` })
      .where('id', '=', existing.id)
      .execute();
    await tx.insertInto('flow_revisions').values({ flow_id: existing.id, revision, spec_version: flow.specVersion, definition: JSON.stringify(definition), created_by_id: userId }).execute();
    return { id: existing.id, uuid: existing.uuid, name: flow.name, created: false };
  }
  const taken = await tx.selectFrom('flows').select('id').where('uuid', '=', flow.uuid).executeTakeFirst();
  const uuid = taken ? randomUUID() : flow.uuid;
  const definition = { ...flow.definition, uuid, revision: 1 };
  const row = await tx
    .insertInto('flows')
    .values({ uuid, org_id: orgId, name: flow.name, flow_type: apiFlowType(flow.type), spec_version: flow.specVersion, revision: 1, definition: JSON.stringify(definition), expires_after_minutes: expires, created_by_id: userId })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.insertInto('flow_revisions').values({ flow_id: row.id, revision: 1, spec_version: flow.specVersion, definition: JSON.stringify(definition), created_by_id: userId }).execute();
  return { id: row.id, uuid, name: flow.name, created: true };
}

export const RUN_STATUS_KEYS: Record<string, string> = { A: 'active', W: 'waiting', C: 'completed', I: 'interrupted', X: 'expired', F: 'failed' };

/** Run counts per status for the given flows, every status present. */
export async function flowRunCounts(db: Kysely<DB>, flowIds: number[]): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  for (const id of flowIds) out.set(id, Object.fromEntries(Object.values(RUN_STATUS_KEYS).map((k) => [k, 0])));
  if (!flowIds.length) return out;
  const rows = await db
    .selectFrom('flow_runs')
    .select(['flow_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('flow_id', 'in', flowIds)
    .groupBy(['flow_id', 'status'])
    .execute();
  for (const r of rows) out.get(r.flow_id)![RUN_STATUS_KEYS[r.status]] = Number(r.n);
  return out;
}
