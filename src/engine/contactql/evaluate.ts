import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import type { AssetRef, Condition, ContactQuery, QueryNode } from './ast.ts';
import type { QueryableContact } from './contact.ts';
import type { QueryEnvironment } from './environment.ts';
import { namePrefixes } from './names.ts';
import { parseURN } from '../urns/parse.ts';

/** One value a contact has for a property, typed as the condition compares it. */
type PropertyValue = string | Decimal | number | AssetRef;

/**
 * Whether one contact matches a parsed query, with RapidPro's semantics: text compares trimmed and
 * case-insensitively; a property with several values (URNs, groups) matches `=`, `~` and orderings
 * when any value does, and `!=` only when every value differs; `prop = ""` means no value at all.
 */
export function evaluateQuery(query: ContactQuery, contact: QueryableContact, env: QueryEnvironment): boolean {
  return evaluateNode(query.root, contact, env);
}

function evaluateNode(node: QueryNode, contact: QueryableContact, env: QueryEnvironment): boolean {
  switch (node.type) {
    case 'and':
      return node.children.every((c) => evaluateNode(c, contact, env));
    case 'or':
      return node.children.some((c) => evaluateNode(c, contact, env));
    case 'condition':
      return evaluateCondition(node, contact, env);
  }
}

function evaluateCondition(c: Condition, contact: QueryableContact, env: QueryEnvironment): boolean {
  const values = propertyValues(c, contact, env);
  if (c.value.kind === 'empty') return c.operator === '=' ? values.length === 0 : values.length > 0;
  if (c.operator === '!=') return values.every((v) => !matchesEqual(c, v));
  return values.some((v) => matches(c, v));
}

function matchesEqual(c: Condition, v: PropertyValue): boolean {
  return matches({ ...c, operator: '=' }, v);
}

function matches(c: Condition, v: PropertyValue): boolean {
  const q = c.value;
  switch (q.kind) {
    case 'number':
      return ordered(c.operator, (v as Decimal).comparedTo(q.number));
    case 'datetime': {
      const t = v as number;
      const start = Date.parse(q.start);
      const end = start + DAY_MS;
      switch (c.operator) {
        case '=':
          return t >= start && t < end;
        case '>':
          return t >= end;
        case '>=':
          return t >= start;
        case '<':
          return t < start;
        case '<=':
          return t < end;
        default:
          return unsupported(c);
      }
    }
    case 'group':
      return (v as AssetRef).uuid === q.group.uuid;
    case 'flow':
      return (v as AssetRef).uuid === q.flow.uuid;
    case 'name_prefixes': {
      const own = namePrefixes(v as string);
      return own.some((token) => q.prefixes.some((p) => token.startsWith(p)));
    }
    case 'text': {
      const text = (typeof v === 'string' ? v : (v as AssetRef).name).trim().toLowerCase();
      if (c.operator === '=') return text === q.normalized;
      if (c.operator === '~') return text.includes(q.normalized);
      return unsupported(c);
    }
    case 'empty':
      return unsupported(c);
  }
}

function ordered(op: Condition['operator'], cmp: number): boolean {
  switch (op) {
    case '=':
      return cmp === 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    default:
      throw new Error(`can't compare numbers with ${op}`);
  }
}

function unsupported(c: Condition): never {
  throw new Error(`can't evaluate ${c.operator} on a ${c.value.kind} value`);
}

function propertyValues(c: Condition, contact: QueryableContact, env: QueryEnvironment): PropertyValue[] {
  const p = c.property;
  if (p.kind === 'urn') return urnPaths(contact, p.scheme);
  if (p.kind === 'field') return fieldValues(c, contact, env);
  switch (p.key) {
    case 'uuid':
      return [contact.uuid];
    case 'id':
      return present(contact.id).map(String);
    case 'ref':
      return present(contact.ref);
    case 'name':
      return present(contact.name || null);
    case 'status':
      return present(contact.status);
    case 'language':
      return present(contact.language || null);
    case 'urn':
      return urnPaths(contact, null);
    case 'group':
      return [...(contact.groups ?? [])];
    case 'flow':
      return present(contact.flow);
    case 'history':
      return [...(contact.history ?? [])];
    case 'tickets':
      return present(contact.tickets).map((n) => new Decimal(n));
    case 'created_on':
      return present(contact.createdOn).map((d) => instant(d, env));
    case 'last_seen_on':
      return present(contact.lastSeenOn).map((d) => instant(d, env));
  }
}

function fieldValues(c: Condition, contact: QueryableContact, env: QueryEnvironment): PropertyValue[] {
  if (c.property.kind !== 'field') return [];
  const value = contact.fields?.[c.property.key];
  if (!value) return [];
  switch (c.property.valueType) {
    case 'text':
      return [value.text];
    case 'number':
      return present(value.number).map((n) => new Decimal(n));
    case 'datetime':
      return present(value.datetime).map((d) => instant(d, env));
    case 'state':
    case 'district':
    case 'ward':
      return present(value[c.property.valueType]).map(locationName);
    case null:
      throw new Error('can only evaluate conditions on fields of queries parsed with a resolver');
  }
}

function urnPaths(contact: QueryableContact, scheme: string | null): string[] {
  const paths: string[] = [];
  for (const urn of contact.urns ?? []) {
    const parts = typeof urn === 'string' ? parseURN(urn) : urn;
    if (parts && (scheme === null || parts.scheme === scheme)) paths.push(parts.path);
  }
  return paths;
}

function present<T>(v: T | null | undefined): T[] {
  return v === null || v === undefined ? [] : [v];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const HAS_OFFSET = /T.*(Z|[+-]\d\d:?\d\d)$/;

/** Milliseconds since the epoch; an ISO string without an offset is local to the env timezone. */
function instant(d: string | Date, env: QueryEnvironment): number {
  if (d instanceof Date) return d.getTime();
  if (HAS_OFFSET.test(d)) return Date.parse(d);
  return DateTime.fromISO(d, { zone: env.timezone }).toMillis();
}

/** "Rwanda > Kigali City" → "Kigali City" */
function locationName(path: string): string {
  const parts = path.split('>');
  return parts[parts.length - 1].trim();
}
