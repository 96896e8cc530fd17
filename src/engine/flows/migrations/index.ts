/**
 * Flow definition migrations: any readable definition (legacy v11-era, or spec 13.0.0 onwards) in,
 * a spec 14.4.2 definition out. A new spec version is one file `vX_Y_Z.ts` exporting a SpecMigration,
 * added in order to registry.ts, plus its cases in the conformance data.
 */
export { migrateFlow, CURRENT_SPEC_VERSION, type FlowJSON, type MigrateOptions } from './migrate.ts';
export { isLegacyDefinition } from '../legacy/index.ts';
export { FlowMigrationError, InvalidFlowDefinitionError, UnsupportedSpecVersionError, LegacyMigrationError } from './errors.ts';
