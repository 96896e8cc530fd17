/**
 * Where templates live in each action and router type at a given spec version, and a helper that
 * rewrites every template (and its translations) of a flow. Migrations that refactor expressions use
 * the catalog of the version they migrate from.
 */
import { type JSONObject, LanguageTranslations, actionsOf, isObject, nodesOf, routerOf, str, typeOf, uuidOf } from './primitives.ts';

export interface TemplateCatalog {
  actions: Record<string, string[]>;
  routers: Record<string, string[]>;
}

const ROUTER_TEMPLATES = ['.operand', '.cases[*].arguments[*]', '.wait.phone'];

const CATALOG_13_2_0: TemplateCatalog = {
  actions: {
    add_contact_groups: ['.groups[*].name_match'],
    add_contact_urn: ['.path'],
    add_input_labels: ['.labels[*].name_match'],
    call_classifier: ['.input'],
    call_webhook: ['.body', '.headers.*', '.url'],
    open_ticket: ['.assignee.email', '.body'],
    play_audio: ['.audio_url'],
    remove_contact_groups: ['.groups[*].name_match'],
    say_msg: ['.text'],
    send_broadcast: ['.attachments[*]', '.contact_query', '.groups[*].name_match', '.legacy_vars[*]', '.quick_replies[*]', '.text'],
    send_email: ['.addresses[*]', '.body', '.subject'],
    send_msg: ['.attachments[*]', '.quick_replies[*]', '.templating.components[*].params[*]', '.templating.variables[*]', '.text'],
    set_contact_field: ['.value'],
    set_contact_language: ['.language'],
    set_contact_name: ['.name'],
    set_contact_timezone: ['.timezone'],
    set_run_result: ['.value'],
    start_session: ['.contact_query', '.groups[*].name_match', '.legacy_vars[*]'],
  },
  routers: { random: ROUTER_TEMPLATES, switch: ROUTER_TEMPLATES },
};

// 13.5.0 replaced send_msg's templating object with template_variables
const CATALOG_13_6_0: TemplateCatalog = {
  actions: {
    ...CATALOG_13_2_0.actions,
    send_msg: ['.attachments[*]', '.quick_replies[*]', '.template_variables[*]', '.text'],
  },
  routers: CATALOG_13_2_0.routers,
};

const CATALOGS: Record<string, TemplateCatalog> = { '13.2.0': CATALOG_13_2_0, '13.6.0': CATALOG_13_6_0 };

export function templateCatalog(version: string): TemplateCatalog {
  const c = CATALOGS[version];
  if (!c) throw new Error(`no template catalog for version ${version}`);
  return c;
}

type Transform = (container: JSONObject | unknown[], key: string | number, value: unknown) => unknown;

const parsedPaths = new Map<string, string[]>();

function pathSteps(path: string): string[] {
  let steps = parsedPaths.get(path);
  if (!steps) {
    steps = [...path.matchAll(/\.([^.[]*)|\[([^\]]*)\]/g)].map((m) => m[1] ?? m[2]);
    parsedPaths.set(path, steps);
  }
  return steps;
}

/** Walks a path like `.cases[*].arguments` (a tiny subset of JSONPath) and replaces what it reaches. */
function transformPath(root: unknown, path: string, tx: Transform): void {
  const steps = pathSteps(path);
  const visit = (node: unknown, i: number) => {
    const sel = steps[i];
    const last = i === steps.length - 1;
    if (Array.isArray(node)) {
      node.forEach((v, idx) => {
        if (sel !== '*' && String(idx) !== sel) return;
        if (last) node[idx] = tx(node, idx, v);
        else visit(v, i + 1);
      });
    } else if (isObject(node)) {
      for (const k of Object.keys(node)) {
        if (sel !== '*' && k !== sel) continue;
        if (last) node[k] = tx(node, k, node[k]);
        else visit(node[k], i + 1);
      }
    }
  };
  visit(root, 0);
}

export function rewriteTemplates(flow: JSONObject, catalog: TemplateCatalog, rewrite: (s: string) => string): void {
  const langs = LanguageTranslations.all(flow);
  const rewriteTranslations = (itemUUID: string, property: string) => {
    for (const lt of langs) {
      const trans = lt.get(itemUUID, property);
      if (trans) lt.set(itemUUID, property, trans.map(rewrite));
    }
  };

  const tx: Transform = (container, key, value) => {
    const itemUUID = uuidOf(container);
    if (itemUUID && typeof key === 'string' && key) rewriteTranslations(itemUUID, key);
    if (typeof value === 'string') return rewrite(value);
    if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? rewrite(v) : v));
    return value;
  };

  const apply = (o: JSONObject, paths: string[] | undefined) => {
    // a path ending [*] names an array of strings: rewrite the array as a whole
    for (const p of paths ?? []) transformPath(o, p.endsWith('[*]') ? p.slice(0, -3) : p, tx);
  };

  for (const node of nodesOf(flow)) {
    for (const action of actionsOf(node)) apply(action, catalog.actions[typeOf(action)]);
    const router = routerOf(node);
    if (router) apply(router, catalog.routers[str(router.type)]);
  }
}
