import { actionType } from '../actions/registry.ts';
import type { DependencyRef } from '../actions/support/types.ts';
import type { SessionAssets } from '../assets.ts';
import { snakify } from '../core/results.ts';
import { parseExpression, scanTemplate } from '../../excellent/index.ts';
import type { Expr } from '../../excellent/ast.ts';
import type { Flow } from './flow.ts';
import { extractTemplatesByNode, translationsOf } from './text.ts';

/** A result a flow can save, merged over the nodes that save it. */
export interface ResultSpec { key: string; name: string; categories: string[]; node_uuids: string[] }

export interface FlowInfo {
  counts: { nodes: number; languages: number };
  dependencies: (DependencyRef & { missing?: boolean })[];
  locals: string[];
  results: ResultSpec[];
  parent_refs: string[];
  issues: Record<string, unknown>[];
}

const FIELD_PATHS = [['fields'], ['contact', 'fields'], ['parent', 'fields'], ['parent', 'contact', 'fields'], ['child', 'fields'], ['child', 'contact', 'fields']];

/** Dotted context paths (`contact.fields.age`) referenced by the expressions of a template. */
function contextPaths(template: string): string[][] {
  const paths: string[][] = [];
  const walk = (e: Expr): string[] | null => {
    switch (e.k) {
      case 'ref':
        return [e.lname];
      case 'dot': {
        const base = walk(e.obj);
        return base ? [...base, e.lkey] : null;
      }
      case 'index': {
        const base = walk(e.obj);
        walk(e.index);
        return base && e.index.k === 'text' ? [...base, e.index.v.toLowerCase()] : null;
      }
      case 'call': walk(e.fn); e.args.forEach(visit); return null;
      case 'lambda': visit(e.body); return null;
      case 'neg': case 'paren': visit(e.x); return null;
      case 'bin': visit(e.l); visit(e.r); return null;
      default: return null;
    }
  };
  const visit = (e: Expr) => {
    const path = walk(e);
    if (path) paths.push(path);
  };
  for (const part of scanTemplate(template, null)) {
    if (part.kind === 'text') continue;
    try {
      visit(parseExpression(part.source));
    } catch {
      // unparseable expressions reference nothing
    }
  }
  return paths;
}

function refsInTemplate(template: string): { refs: DependencyRef[]; parentRefs: string[] } {
  const refs: DependencyRef[] = [];
  const parentRefs: string[] = [];
  for (const path of contextPaths(template)) {
    if (path.length <= 1) continue;
    if (path[0] === 'globals') refs.push({ type: 'global', key: path[1], name: '' });
    else if (path[0] === 'parent' && path[1] === 'results' && path.length > 2) parentRefs.push(path[2]);
    else {
      const prefix = FIELD_PATHS.find((p) => path.length === p.length + 1 && p.every((x, i) => path[i] === x));
      if (prefix) refs.push({ type: 'field', key: path[prefix.length], name: '' });
    }
  }
  return { refs, parentRefs };
}

function exists(assets: SessionAssets, ref: DependencyRef): boolean {
  switch (ref.type) {
    case 'group': return !!assets.group(ref.uuid!);
    case 'label': return !!assets.label(ref.uuid!);
    case 'flow': return !(assets.flowSource(ref.uuid!) === undefined);
    case 'channel': return !!assets.channel(ref.uuid!);
    case 'topic': return !!assets.topic(ref.uuid!);
    case 'user': return !!assets.user(ref.uuid!);
    case 'llm': return !!assets.llm(ref.uuid!);
    case 'template': return !!assets.template(ref.uuid!);
    case 'field': return !!assets.field(ref.key!);
    case 'global': return assets.globals.some((g) => g.key === ref.key);
    default: return true;
  }
}

/**
 * What a flow depends on and produces: asset dependencies (flagged when missing), locals, results,
 * parent result references and issues (missing dependencies, legacy vars, invalid regexes).
 * Without assets nothing is reported missing.
 */
export function inspectFlow(flow: Flow, assets: SessionAssets | null): FlowInfo {
  const found: { ref: DependencyRef; node: string; action?: string; language?: string }[] = [];
  const locals = new Set<string>();
  const parentRefs = new Set<string>();
  const results = new Map<string, ResultSpec>();
  const addResult = (name: string, categories: string[], node: string) => {
    const key = snakify(name);
    const spec = results.get(key) ?? { key, name, categories: [], node_uuids: [] };
    for (const c of categories) if (!spec.categories.includes(c)) spec.categories.push(c);
    if (!spec.node_uuids.includes(node)) spec.node_uuids.push(node);
    results.set(key, spec);
  };
  const templates = extractTemplatesByNode(flow);

  for (const node of flow.nodes) {
    for (const action of node.actions) {
      actionType(action.type)?.inspect?.(action, {
        dependency: (ref) => found.push({ ref, node: node.uuid, action: action.uuid }),
        local: (name) => { if (name) locals.add(name); },
        result: (name, categories) => addResult(name, categories, node.uuid),
      });
    }
    const router = node.router;
    if (router) {
      for (const c of router.cases ?? []) {
        if (c.type === 'has_group' && c.arguments?.length) {
          found.push({ ref: { type: 'group', uuid: c.arguments[0], name: c.arguments[1] ?? '' }, node: node.uuid });
        }
      }
      if (router.result_name) addResult(router.result_name, router.categories.map((c) => c.name), node.uuid);
    }
    for (const t of templates.get(node.uuid) ?? []) {
      const { refs, parentRefs: prs } = refsInTemplate(t.template);
      for (const ref of refs) found.push({ ref, node: node.uuid, action: t.actionUUID, language: t.language });
      prs.forEach((r) => parentRefs.add(r));
    }
  }

  const dependencies: FlowInfo['dependencies'] = [];
  const seen = new Set<string>();
  const issues: Record<string, unknown>[] = [];
  for (const { ref, node, action, language } of found) {
    const identity = ref.uuid ?? ref.key ?? '';
    const missing = assets !== null && !exists(assets, ref);
    const key = `${ref.type}:${identity}`;
    if (!seen.has(key)) {
      seen.add(key);
      dependencies.push(missing ? { ...dependencyJSON(ref), missing: true } : dependencyJSON(ref));
    }
    if (missing) {
      const issue: Record<string, unknown> = { type: 'missing_dependency', node_uuid: node };
      if (action) issue.action_uuid = action;
      if (language) issue.language = language;
      issue.description = `missing ${ref.type} dependency '${identity}'`;
      issue.dependency = dependencyJSON(ref);
      issues.push(issue);
    }
  }
  issues.push(...invalidRegexes(flow));
  for (const node of flow.nodes) {
    for (const action of node.actions) {
      const vars = action.legacy_vars as string[] | undefined;
      if (action.type === 'start_session' && vars?.length) {
        issues.push({ type: 'legacy_vars', node_uuid: node.uuid, action_uuid: action.uuid, description: 'use of expressions instead of contact query', vars });
      }
    }
  }

  // issues are grouped by node, in flow order
  const order = new Map(flow.nodes.map((n, i) => [n.uuid, i]));
  issues.sort((a, b) => order.get(a.node_uuid as string)! - order.get(b.node_uuid as string)!);

  return {
    counts: { languages: Object.keys(flow.localization).length, nodes: flow.nodes.length },
    dependencies,
    locals: [...locals].sort(),
    results: [...results.values()],
    parent_refs: [...parentRefs].sort(),
    issues,
  };
}

function hasExpressions(template: string): boolean {
  return scanTemplate(template, null).some((p) => p.kind !== 'text');
}

/** has_pattern cases whose (literal) pattern, or a translation of it, doesn't compile. */
function invalidRegexes(flow: Flow): Record<string, unknown>[] {
  const issues: Record<string, unknown>[] = [];
  const check = (node: string, regex: string, language?: string) => {
    if (hasExpressions(regex)) return;
    try {
      new RegExp(regex);
    } catch {
      const issue: Record<string, unknown> = { type: 'invalid_regex', node_uuid: node };
      if (language) issue.language = language;
      issue.description = `invalid regex: ${regex}`;
      issue.regex = regex;
      issues.push(issue);
    }
  };
  for (const node of flow.nodes) {
    for (const c of node.router?.cases ?? []) {
      if (c.type !== 'has_pattern' || !c.arguments?.length) continue;
      check(node.uuid, c.arguments[0]);
      for (const [language, t] of translationsOf(flow, c.uuid, 'arguments')) check(node.uuid, t, language);
    }
  }
  return issues;
}

function dependencyJSON(ref: DependencyRef): DependencyRef {
  if (ref.key !== undefined) return { key: ref.key, name: ref.name, type: ref.type };
  // asset references drop an empty name; contact references always carry one
  if (!ref.name && ref.type !== 'contact') return { uuid: ref.uuid, type: ref.type } as DependencyRef;
  return { uuid: ref.uuid, name: ref.name, type: ref.type };
}
