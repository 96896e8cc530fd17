/** Legacy references to groups, labels, contacts and flows, converted to their new JSON shapes. */
import { migrateTemplate } from './expressions/migrate.ts';
import { LegacyDefinitionError } from './errors.ts';

export function asObject(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * A group or label: `{uuid, name}` when it has a UUID, otherwise matched by name at run time. A plain
 * string is a name, or an expression giving the name when it starts with `@`.
 */
export function nameMatchedReference(v: unknown, what: string): Record<string, string> {
  let uuid = '';
  let name: string;
  if (typeof v === 'string') {
    name = v.startsWith('@') ? migrateTemplate(v) : v;
  } else {
    const o = asObject(v);
    if (!o) throw new LegacyDefinitionError(`${what} reference must be a name or an object`);
    uuid = text(o.uuid);
    name = text(o.name);
  }
  return uuid ? { uuid, name } : { name_match: name };
}

export function contactReference(v: unknown): { uuid: string; name: string } {
  const o = asObject(v) ?? {};
  return { uuid: text(o.uuid), name: text(o.name) };
}

export function flowReference(v: unknown): { uuid: string; name: string } {
  const o = asObject(v) ?? {};
  return { uuid: text(o.uuid), name: text(o.name) };
}
