import type { ContactQuery, QueryNode } from './ast.ts';
import { goQuote } from './go-strings.ts';

const PLAIN_NUMBER = /^\d+(\.\d+)?$/;

/**
 * The canonical text of a query, as RapidPro stores it: prefixed properties (`fields.age`,
 * `urns.tel`), values quoted unless they are plain numbers, nested combinations parenthesised.
 */
export function printQuery(query: ContactQuery | QueryNode): string {
  const root = 'root' in query ? query.root : query;
  return printNode(root, true);
}

function printNode(node: QueryNode, top: boolean): string {
  if (node.type === 'condition') {
    const p = node.property;
    const property = p.kind === 'field' ? `fields.${p.key}` : p.kind === 'urn' ? `urns.${p.scheme}` : p.key;
    const value = PLAIN_NUMBER.test(node.raw) ? node.raw : goQuote(node.raw);
    return `${property} ${node.operator} ${value}`;
  }
  const joined = node.children.map((c) => printNode(c, false)).join(node.type === 'and' ? ' AND ' : ' OR ');
  return top ? joined : `(${joined})`;
}

/** Quotes a value for inclusion in a query, e.g. one produced by evaluating an expression. */
export function escapeQueryValue(value: string): string {
  return goQuote(value);
}
