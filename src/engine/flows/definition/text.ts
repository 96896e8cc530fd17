import { actionType } from '../actions/registry.ts';
import type { TextField } from '../actions/support/types.ts';
import type { ActionDef, Flow } from './flow.ts';

/** Strings held by a field: a string, the items of a list, or the values of a map (headers). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (value && typeof value === 'object') return Object.values(value).filter((v): v is string => typeof v === 'string');
  return [];
}

/** Templates inside asset references: group/label `name_match`, user `email`. */
function refTemplates(value: unknown): string[] {
  const refs = Array.isArray(value) ? value : value ? [value] : [];
  return refs.flatMap((r) => {
    const ref = r as { uuid?: string; name_match?: string; email?: string };
    if (typeof ref.name_match === 'string') return [ref.name_match];
    if (!ref.uuid && typeof ref.email === 'string') return [ref.email];
    return [];
  });
}

/** Translations of an item's property, language by language (sorted), as [language, text]. */
export function translationsOf(flow: Flow, itemUUID: string, property: string): [string, string][] {
  return Object.keys(flow.localization).sort().flatMap((lang) => {
    const values = flow.localization[lang]?.[itemUUID]?.[property];
    return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string').map((v) => [lang, v] as [string, string]) : [];
  });
}

function actionFields(action: ActionDef): TextField[] {
  return actionType(action.type)?.textFields ?? [];
}

/** A template found in a flow, with the action holding it (none for router templates). */
export interface FoundTemplate { template: string; actionUUID?: string; language?: string }

/** Every non-empty template of each node, in goflow's order (see extractTemplates). */
export function extractTemplatesByNode(flow: Flow): Map<string, FoundTemplate[]> {
  const byNode = new Map<string, FoundTemplate[]>();
  for (const node of flow.nodes) {
    const out: FoundTemplate[] = [];
    const add = (templates: string[], actionUUID?: string) => {
      for (const template of templates) if (template !== '') out.push({ template, actionUUID });
    };
    const addTranslated = (item: string, property: string, actionUUID?: string) => {
      for (const [language, template] of translationsOf(flow, item, property)) {
        if (template !== '') out.push({ template, actionUUID, language });
      }
    };
    for (const action of node.actions) {
      for (const f of actionFields(action)) {
        if (f.refs) add(refTemplates(action[f.name]), action.uuid);
        else if (f.evaluated) {
          add(strings(action[f.name]), action.uuid);
          if (f.localized) addTranslated(action.uuid, f.name, action.uuid);
        }
      }
    }
    const router = node.router;
    if (router) {
      if (router.type === 'switch') {
        add([router.operand ?? '']);
        for (const c of router.cases ?? []) {
          add(c.arguments ?? []);
          addTranslated(c.uuid, 'arguments');
        }
      }
      if (router.wait?.type === 'dial') add([router.wait.phone]);
    }
    byNode.set(node.uuid, out);
  }
  return byNode;
}

/**
 * Every template in the flow's actions (with their translations), in goflow's order; routers add
 * their operand, case arguments and dial phone. Empty strings are left out.
 */
export function extractTemplates(flow: Flow): string[] {
  return [...extractTemplatesByNode(flow).values()].flat().map((t) => t.template);
}

/** Every piece of text translators can localize (native values), in goflow's order. */
export function extractLocalizables(flow: Flow): string[] {
  const out: string[] = [];
  for (const node of flow.nodes) {
    for (const action of node.actions) {
      for (const f of actionFields(action)) if (f.localized) out.push(...strings(action[f.name]));
    }
    const router = node.router;
    if (router?.type === 'switch') for (const c of router.cases ?? []) out.push(...(c.arguments ?? []));
    for (const c of router?.categories ?? []) out.push(c.name);
  }
  return out.filter((t) => t !== '');
}
