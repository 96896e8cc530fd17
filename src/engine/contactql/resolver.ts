import type { AssetRef, FieldRef } from './ast.ts';

/** Looks up the workspace assets a query names. Without one, parsing skips the checks needing them. */
export interface QueryResolver {
  resolveField(key: string): FieldRef | null | undefined;
  resolveGroup(name: string): AssetRef | null | undefined;
  resolveFlow(name: string): AssetRef | null | undefined;
}

/** A resolver over fixed lists: fields by exact key, groups and flows by case-insensitive name. */
export function staticResolver(assets: {
  fields?: FieldRef[];
  groups?: AssetRef[];
  flows?: AssetRef[];
}): QueryResolver {
  const byName = (list: AssetRef[] | undefined, name: string) =>
    list?.find((a) => a.name.toLowerCase() === name.toLowerCase()) ?? null;
  return {
    resolveField: (key) => assets.fields?.find((f) => f.key === key) ?? null,
    resolveGroup: (name) => byName(assets.groups, name),
    resolveFlow: (name) => byName(assets.flows, name),
  };
}
