import type { AttributeKey, ContactQuery, Condition, QueryNode } from './ast.ts';

/** What a query refers to, as RapidPro reports it alongside search results. */
export interface QueryInspection {
  attributes: string[];
  schemes: string[];
  /** Fields in order of first use; `name` is "" when parsed without a resolver. */
  fields: { key: string; name: string }[];
  /** Groups in order of first use; unresolved ones (no resolver) are given by the name written. */
  groups: ({ uuid: string; name: string } | { nameMatch: string })[];
  /** Smart groups can't be defined by queries on these attributes. */
  allowAsGroup: boolean;
}

// these depend on state a smart group can't be kept current with (or on other groups)
const NOT_FOR_GROUPS: ReadonlySet<AttributeKey> = new Set(['id', 'ref', 'status', 'group', 'flow', 'history']);

export function inspectQuery(query: ContactQuery): QueryInspection {
  const attributes = new Set<AttributeKey>();
  const schemes = new Set<string>();
  const fields = new Map<string, { key: string; name: string }>();
  const groups = new Map<string, QueryInspection['groups'][number]>();

  forEachCondition(query.root, (c) => {
    const p = c.property;
    if (p.kind === 'attribute') {
      attributes.add(p.key);
      if (p.key === 'group' && c.value.kind === 'group') groups.set(c.value.group.uuid, { uuid: c.value.group.uuid, name: c.value.group.name });
      else if (p.key === 'group' && c.value.kind === 'text') groups.set(`name:${c.raw}`, { nameMatch: c.raw });
    } else if (p.kind === 'urn') {
      schemes.add(p.scheme);
    } else if (!fields.has(p.key)) {
      fields.set(p.key, { key: p.field?.key ?? p.key, name: p.field?.name ?? '' });
    }
  });

  return {
    attributes: [...attributes].sort(),
    schemes: [...schemes].sort(),
    fields: [...fields.values()],
    groups: [...groups.values()],
    allowAsGroup: ![...attributes].some((a) => NOT_FOR_GROUPS.has(a)),
  };
}

function forEachCondition(node: QueryNode, f: (c: Condition) => void): void {
  if (node.type === 'condition') f(node);
  else node.children.forEach((child) => forEachCondition(child, f));
}
