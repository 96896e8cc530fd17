import { migrateFlow, type MigrateOptions } from '../migrations/index.ts';

export type { MigrateOptions };

/** Brings a definition of any supported spec version (legacy included) to the current one. */
export function migrateDefinition(definition: unknown, options: MigrateOptions = {}): Record<string, unknown> {
  return migrateFlow(definition as never, options) as Record<string, unknown>;
}
