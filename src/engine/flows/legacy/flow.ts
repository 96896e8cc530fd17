/**
 * Converts a whole legacy (v11-era) flow — action_sets, rule_sets, metadata — into a spec 13.0.0
 * definition with nodes, localization and editor `_ui` data.
 */
import { migrateAction } from './actions.ts';
import { LegacyDefinitionError } from './errors.ts';
import { LocalizationBuilder } from './localization.ts';
import { asObject, list, text } from './references.ts';
import { exitFor, type Legacy } from './rules.ts';
import { migrateRuleSet } from './rulesets.ts';
import { type NodeUI, type Sticky, nodeUI } from './ui.ts';

export interface LegacyOptions {
  baseMediaURL: string;
  newUUID: () => string;
}

const FLOW_TYPES: Record<string, string> = {
  '': 'messaging', // some campaign event flows have no type
  F: 'messaging',
  M: 'messaging',
  V: 'voice',
  S: 'messaging_offline',
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

function listOf(v: unknown, field: string): Legacy[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new LegacyDefinitionError(`field '${field}' must be a list`);
  return v.map((item, i) => {
    const o = asObject(item);
    if (!o) throw new LegacyDefinitionError(`field '${field}[${i}]' must be an object`);
    return o;
  });
}

function requireUUID(o: Legacy, field: string, path: string, optional = false): void {
  const v = o[field];
  if ((v === undefined || v === null || v === '') && optional) return;
  if (v === undefined || v === null || v === '') throw new LegacyDefinitionError(`field '${path}.${field}' is required`);
  if (typeof v !== 'string' || !UUID_RE.test(v)) throw new LegacyDefinitionError(`field '${path}.${field}' must be a valid UUID`);
}

/** Legacy node positions are editor coordinates; other nodes follow the entry node top to bottom. */
function orderNodes(nodes: Record<string, unknown>[], entry: string, uis: Map<string, NodeUI>): Record<string, unknown>[] {
  const top = (n: Record<string, unknown>) => uis.get(String(n.uuid))?.position.top ?? 0;
  const entryNodes = nodes.filter((n) => n.uuid === entry).slice(-1);
  const others = nodes.filter((n) => n.uuid !== entry).sort((a, b) => top(a) - top(b));
  return [...entryNodes, ...others];
}

export function migrateLegacyFlow(def: Legacy, opts: LegacyOptions): Record<string, unknown> {
  const actionSets = listOf(def.action_sets, 'action_sets');
  const ruleSets = listOf(def.rule_sets, 'rule_sets');
  actionSets.forEach((a, i) => {
    requireUUID(a, 'uuid', `action_sets[${i}]`);
    requireUUID(a, 'exit_uuid', `action_sets[${i}]`);
    requireUUID(a, 'destination', `action_sets[${i}]`, true);
  });
  ruleSets.forEach((r, i) => requireUUID(r, 'uuid', `rule_sets[${i}]`));
  requireUUID(def, 'entry', 'flow', true);

  const metadata = asObject(def.metadata) ?? {};
  const baseLanguage = text(def.base_language);
  const localization = new LocalizationBuilder();
  const validDestinations = new Set([...actionSets, ...ruleSets].map((s) => text(s.uuid)));
  const uis = new Map<string, NodeUI>();
  const nodes: Record<string, unknown>[] = [];

  for (const as of actionSets) {
    const actions = list(as.actions).map((a) => {
      const action = asObject(a) ?? {};
      try {
        return migrateAction(action, { baseLanguage, localization, baseMediaURL: opts.baseMediaURL });
      } catch (e) {
        throw new LegacyDefinitionError(`error migrating action_set[uuid=${text(as.uuid)}]: error migrating action[type=${text(action.type)}]: ${(e as Error).message}`);
      }
    });
    const node: Record<string, unknown> = { uuid: text(as.uuid) };
    if (actions.length > 0) node.actions = actions;
    node.exits = [exitFor(text(as.exit_uuid), as.destination, validDestinations)];
    nodes.push(node);
    uis.set(text(as.uuid), nodeUI('execute_actions', int(as.x), int(as.y), null));
  }

  for (const rs of ruleSets) {
    try {
      const { node, uiType, uiConfig } = migrateRuleSet(rs, { baseLanguage, localization, validDestinations, newUUID: opts.newUUID });
      nodes.push(node);
      uis.set(text(rs.uuid), nodeUI(uiType, int(rs.x), int(rs.y), uiConfig));
    } catch (e) {
      throw new LegacyDefinitionError(`error migrating rule_set[uuid=${text(rs.uuid)}]: ${(e as Error).message}`);
    }
  }

  const stickies: Record<string, Sticky> = {};
  for (const note of list(metadata.notes)) {
    const n = asObject(note) ?? {};
    stickies[opts.newUUID()] = {
      position: { left: Math.trunc(Number(n.x) || 0), top: Math.trunc(Number(n.y) || 0) },
      title: text(n.title),
      body: text(n.body),
      color: 'yellow',
    };
  }

  // some flows have uuid and name at the root instead of in metadata, or no uuid at all
  const uuid = text(metadata.uuid) || text(def.uuid) || opts.newUUID();
  const name = text(metadata.name) || text(def.name);

  return {
    uuid,
    name,
    spec_version: '13.0.0',
    language: baseLanguage,
    type: FLOW_TYPES[text(def.flow_type)] ?? '',
    revision: int(metadata.revision),
    expire_after_minutes: int(metadata.expires),
    localization: localization.toJSON(),
    nodes: orderNodes(nodes, text(def.entry), uis),
    _ui: { nodes: Object.fromEntries(uis), stickies },
  };
}
