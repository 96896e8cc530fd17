export { migrateFlow, CURRENT_SPEC_VERSION, type FlowJSON, type MigrateOptions } from './migrate.ts';
export { isLegacyDefinition } from '../legacy/index.ts';
export { FlowMigrationError, InvalidFlowDefinitionError, UnsupportedSpecVersionError, LegacyMigrationError } from './errors.ts';
