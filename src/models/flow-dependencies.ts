/**
 * What a flow definition depends on: sub-flows it starts, fields it reads or writes, groups it
 * uses. Found from action and case shapes plus `@fields.x` references in any text, as an export
 * needs them.
 */
export interface FlowDependencies {
  flows: Set<string>;
  fieldKeys: Set<string>;
  groups: Map<string, string>;
}

export function flowDependencies(definition: any): FlowDependencies {
  const deps: FlowDependencies = { flows: new Set(), fieldKeys: new Set(), groups: new Map() };
  const addGroups = (groups: any[] | undefined) => {
    for (const g of groups ?? []) if (g?.uuid) deps.groups.set(g.uuid, g.name ?? '');
  };
  for (const node of definition.nodes ?? []) {
    for (const a of node.actions ?? []) {
      if ((a.type === 'enter_flow' || a.type === 'start_session') && a.flow?.uuid) deps.flows.add(a.flow.uuid);
      if (a.type === 'set_contact_field' && a.field?.key) deps.fieldKeys.add(a.field.key);
      if (a.type === 'add_contact_groups' || a.type === 'remove_contact_groups' || a.type === 'send_broadcast' || a.type === 'start_session') addGroups(a.groups);
    }
    for (const c of node.router?.cases ?? []) {
      if (c.type === 'has_group' && c.arguments?.[0]) deps.groups.set(c.arguments[0], c.arguments[1] ?? '');
    }
  }
  const text = JSON.stringify(definition.nodes ?? []);
  for (const m of text.matchAll(/(?:@|\b)(?:contact\.)?fields\.([a-z][a-z0-9_]*)/g)) deps.fieldKeys.add(m[1]);
  return deps;
}
