import type { JSONObject } from './primitives.ts';

export interface MigrationContext {
  newUUID: () => string;
}

/** One spec migration: rewrites the definition in place to the shape of its version. */
export interface SpecMigration {
  version: string;
  migrate(flow: JSONObject, ctx: MigrationContext): void;
}
