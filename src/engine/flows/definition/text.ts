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

function translations(flow: Flow, itemUUID: string, property: string): string[] {
  return Object.keys(flow.localization).sort().flatMap((lang) => {
    const values = flow.localization[lang]?.[itemUUID]?.[property];
    return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
  });
}

function actionFields(action: ActionDef): TextField[] {
  return actionType(action.type)?.textFields ?? [];
}

/**
 * Every template in the flow's actions (with their translations), in goflow's order; routers add
 * their operand, case arguments and dial phone. Empty strings are left out.
 */
export function extractTemplates(flow: Flow): string[] {
  const out: string[] = [];
  for (const node of flow.nodes) {
    for (const action of node.actions) {
      for (const f of actionFields(action)) {
        if (f.refs) out.push(...refTemplates(action[f.name]));
        else if (f.evaluated) {
          out.push(...strings(action[f.name]));
          if (f.localized) out.push(...translations(flow, action.uuid, f.name));
        }
      }
    }
    const router = node.router;
    if (router) {
      if (router.type === 'switch') {
        out.push(router.operand ?? '');
        for (const c of router.cases ?? []) {
          out.push(...(c.arguments ?? []), ...translations(flow, c.uuid, 'arguments'));
        }
      }
      if (router.wait?.type === 'dial') out.push(router.wait.phone);
    }
  }
  return out.filter((t) => t !== '');
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
