import { isObject } from '../migrations/primitives.ts';
import { type LegacyOptions, migrateLegacyFlow } from './flow.ts';

export { LegacyDefinitionError } from './errors.ts';
export { migrateTemplate, migrateLegacyTemplate, type LegacyMigrateOptions } from './expressions/migrate.ts';

/**
 * Whether a definition looks like a legacy (pre-13, v11-era) flow: those carry action_sets,
 * rule_sets, flow_type or metadata, none of which exist in the current format.
 */
export function isLegacyDefinition(definition: unknown): boolean {
  if (!isObject(definition)) return false;
  return ['action_sets', 'rule_sets', 'flow_type', 'metadata'].some((k) => k in definition);
}

/** Converts a legacy definition to spec 13.0.0; throws LegacyDefinitionError when it can't. */
export function migrateLegacyDefinition(definition: Record<string, unknown>, opts: LegacyOptions): Record<string, unknown> {
  return migrateLegacyFlow(definition, opts);
}
