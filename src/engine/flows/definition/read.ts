import { actionType } from '../actions/registry.ts';
import { UUID_PATTERN } from '../core/uuids.ts';
import { testExists } from '../expressions.ts';
import { Flow, FLOW_TYPES, type FlowType, type Node, type Router } from './flow.ts';
import { migrateDefinition, type MigrateOptions } from './migrate.ts';

const MAX_NODES = 1000;
const MAX_ACTIONS = 100;
const MAX_EXITS = 100;
const MAX_CATEGORIES = 100;

/** Reads a flow definition of any supported spec version: migrates, validates and indexes it. */
export function readFlow(json: unknown, options: MigrateOptions = {}): Flow {
  const def = migrateDefinition(json, options) as Record<string, any>;
  const missing = ['uuid', 'name', 'language', 'type'].filter((f) => !def[f]).map((f) => `field '${f}' is required`);
  if (missing.length) throw new Error(missing.join(', '));
  if (!FLOW_TYPES.includes(def.type)) throw new Error(`field 'type' is not a valid flow type`);

  const nodes = (def.nodes ?? []) as Node[];
  const flow = new Flow(
    def.uuid, def.name, def.spec_version, def.language, def.type as FlowType, def.revision ?? 0,
    def.expire_after_minutes ?? 0, def.localization ?? {}, nodes, def,
  );
  validateFlow(flow);
  return flow;
}

export function validateFlow(flow: Flow): void {
  if (flow.nodes.length > MAX_NODES) throw new Error(`flow can't have more than ${MAX_NODES} nodes (has ${flow.nodes.length})`);
  const seen = new Set<string>();
  const unique = (uuid: string, what: string) => {
    if (seen.has(uuid)) throw new Error(`${what} UUID ${uuid} isn't unique`);
    seen.add(uuid);
  };
  for (const node of flow.nodes) {
    unique(node.uuid, 'node');
    try {
      validateNode(flow, node, unique);
    } catch (e) {
      throw new Error(`invalid node[uuid=${node.uuid}]: ${(e as Error).message}`);
    }
  }
  for (const [lang, items] of Object.entries(flow.localization)) {
    if (!/^[a-z]{3}$/.test(lang) && lang !== 'base') throw new Error(`invalid localization: invalid language code '${lang}'`);
    for (const uuid of Object.keys(items ?? {})) {
      if (!UUID_PATTERN.test(uuid)) throw new Error(`invalid localization: invalid translation for '${lang}': invalid item uuid '${uuid}'`);
    }
  }
}

function validateNode(flow: Flow, node: Node, unique: (uuid: string, what: string) => void): void {
  node.actions ??= [];
  if (!node.exits?.length) throw new Error("field 'exits' must have a minimum of 1 items");
  if (node.actions.length > MAX_ACTIONS) throw new Error(`node can't have more than ${MAX_ACTIONS} actions (has ${node.actions.length})`);
  if (node.exits.length > MAX_EXITS) throw new Error(`node can't have more than ${MAX_EXITS} exits (has ${node.exits.length})`);
  for (const action of node.actions) {
    const type = actionType(action.type);
    if (!type) throw new Error(`unable to read action: unknown type: '${action.type}'`);
    if (!type.flowTypes.includes(flow.type)) {
      throw new Error(`action type '${action.type}' is not allowed in a flow of type '${flow.type}'`);
    }
    unique(action.uuid, 'action');
    const errors = type.validate?.(action) ?? [];
    if (errors.length) throw new Error(`invalid action[uuid=${action.uuid}, type=${action.type}]: ${errors.join(', ')}`);
  }
  if (node.router) {
    try {
      validateRouter(flow, node, node.router);
    } catch (e) {
      throw new Error(`invalid router: ${(e as Error).message}`);
    }
  }
  for (const exit of node.exits) {
    unique(exit.uuid, 'exit');
    if (exit.destination_uuid && !flow.node(exit.destination_uuid)) {
      throw new Error(`destination ${exit.destination_uuid} of exit[uuid=${exit.uuid}] isn't a known node`);
    }
  }
}

/** Validates a router against its node; errors use goflow's wording. */
export function validateRouter(flow: Flow | null, node: Node, router: Router): void {
  const categories = router.categories ?? [];
  const hasCategory = (uuid: string) => categories.some((c) => c.uuid === uuid);
  if (router.type !== 'switch' && router.type !== 'random') throw new Error(`unknown type: '${router.type}'`);
  if (categories.length > MAX_CATEGORIES) throw new Error(`can't have more than ${MAX_CATEGORIES} categories (has ${categories.length})`);
  const wait = router.wait;
  if (wait?.type === 'msg' && wait.timeout && !hasCategory(wait.timeout.category_uuid)) {
    throw new Error(`timeout category ${wait.timeout.category_uuid} is not a valid category`);
  }
  for (const c of categories) {
    if (!node.exits.some((e) => e.uuid === c.exit_uuid)) throw new Error(`category exit ${c.exit_uuid} is not a valid exit`);
  }
  if (wait && flow) {
    const allowed = wait.type === 'dial' ? flow.type === 'voice' : flow.type !== 'messaging_background';
    if (!allowed) throw new Error(`wait type '${wait.type}' is not allowed in a flow of type '${flow.type}'`);
  }
  if (router.type === 'switch') {
    if (router.default_category_uuid && !hasCategory(router.default_category_uuid)) {
      throw new Error(`default category ${router.default_category_uuid} is not a valid category`);
    }
    for (const c of router.cases ?? []) {
      if (!hasCategory(c.category_uuid)) throw new Error(`invalid case[uuid=${c.uuid}]: category ${c.category_uuid} is not a valid category`);
      if (!testExists(c.type.toLowerCase())) throw new Error(`invalid case[uuid=${c.uuid}]: ${c.type} is not a registered test function`);
    }
  }
}
