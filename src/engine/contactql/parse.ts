import type { ContactQuery, Operator, QueryNode } from './ast.ts';
import type { ParseOptions, QueryEnvironment } from './environment.ts';
import { QueryError, tooComplex } from './errors.ts';
import { implicitCondition } from './implicit.ts';
import { telFromText } from '../urns/index.ts';
import { isAttribute, URN_SCHEMES } from './properties.ts';
import type { RawCondition, RawNode } from './raw.ts';
import type { QueryResolver } from './resolver.ts';
import { parseSyntax, type SyntaxNode } from './syntax.ts';
import { validateCondition } from './validate.ts';

// Parsing is recursive in bracket depth, and every condition becomes a clause in the database query,
// so untrusted input is bounded in length, depth and number of conditions.
export const MAX_QUERY_LENGTH = 10_000;
export const MAX_QUERY_DEPTH = 100;
export const MAX_CONDITIONS = 250;

const OPERATOR_ALIASES: Record<string, Operator> = { has: '~', is: '=' };

/**
 * Parses, validates and resolves a contact query. Throws QueryError (code, message, extra as
 * RapidPro gives them). With a resolver, fields must exist and have a type that suits the operator,
 * and groups and flows must exist; without one those checks are skipped.
 */
export function parseQuery(
  text: string,
  env: QueryEnvironment,
  resolver?: QueryResolver,
  options: ParseOptions = {},
): ContactQuery {
  let query = text.trim();
  if (Array.from(query).length > MAX_QUERY_LENGTH || nestingDepthExceeds(query, MAX_QUERY_DEPTH)) throw tooComplex();

  // a query that is just a phone number means that number exactly
  if (env.redactionPolicy !== 'urns') {
    const number = telFromText(query, env.defaultCountry);
    if (number) query = `tel = ${number}`;
  }

  const raw = resolveProperties(parseSyntax(query), env);
  if (countConditions(raw) > MAX_CONDITIONS) throw tooComplex();

  const ctx = { env, resolver, now: options.now ?? new Date() };
  const root = flatten(mapConditions(raw, (c) => validateCondition(c, ctx)));
  return { root, resolved: resolver !== undefined };
}

/** parseQuery without exceptions: the query, or the QueryError explaining why there is none. */
export function tryParseQuery(
  text: string,
  env: QueryEnvironment,
  resolver?: QueryResolver,
  options: ParseOptions = {},
): { query: ContactQuery; error?: undefined } | { query?: undefined; error: QueryError } {
  try {
    return { query: parseQuery(text, env, resolver, options) };
  } catch (e) {
    if (e instanceof QueryError) return { error: e };
    throw e;
  }
}

/** Names each condition's property kind; an unknown `xxx.` prefix is the first error reported. */
function resolveProperties(node: SyntaxNode, env: QueryEnvironment): RawNode {
  let firstError: QueryError | null = null;
  const visit = (n: SyntaxNode): RawNode => {
    if (n.kind === 'implicit') return implicitCondition(env, n.value);
    if (n.kind !== 'condition') return { kind: n.kind, children: n.children.map(visit) };
    const comparator = n.comparator.toLowerCase();
    const operator = OPERATOR_ALIASES[comparator] ?? (comparator as Operator);
    const property = n.property.toLowerCase();
    const dot = property.indexOf('.');
    if (dot < 0) return { kind: kindOfBareProperty(property), key: property, operator, value: n.value };
    const prefix = property.slice(0, dot);
    const key = property.slice(dot + 1);
    if (prefix === 'fields') return { kind: 'field', key, operator, value: n.value };
    if (prefix === 'urns') return { kind: 'urn', key, operator, value: n.value };
    firstError ??= new QueryError('unknown_property_type', `unknown property type '${prefix}'`, { type: prefix });
    return { kind: 'field', key, operator, value: n.value };
  };
  const raw = visit(node);
  if (firstError) throw firstError;
  return raw;
}

/** A bare property is an attribute if one has that name, else a URN scheme, else a field. */
function kindOfBareProperty(key: string): RawCondition['kind'] {
  if (isAttribute(key)) return 'attribute';
  return URN_SCHEMES.has(key) ? 'urn' : 'field';
}

function countConditions(node: RawNode): number {
  return 'children' in node ? node.children.reduce((n, c) => n + countConditions(c), 0) : 1;
}

function mapConditions(node: RawNode, f: (c: RawCondition) => QueryNode): QueryNode {
  if ('children' in node) return { type: node.kind, children: node.children.map((c) => mapConditions(c, f)) };
  return f(node);
}

/** Merges a child combination into its parent when both are AND (or both OR), as RapidPro prints them. */
export function flatten(node: QueryNode): QueryNode {
  if (node.type === 'condition') return node;
  const children: QueryNode[] = [];
  for (const child of node.children.map(flatten)) {
    if (child.type === node.type) children.push(...child.children);
    else children.push(child);
  }
  return { type: node.type, children };
}

/**
 * Counts (, [ and { as opening brackets whether or not they are inside quotes: an over-estimate,
 * never an under-estimate, of how deep the parser will recurse.
 */
function nestingDepthExceeds(s: string, max: number): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '(' || c === '[' || c === '{') {
      if (++depth > max) return true;
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return false;
}
