/** Why a flow definition could not be brought to the current spec version. */
export class FlowMigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input isn't a flow definition: not an object, or its header (uuid, name, spec_version) is invalid. */
export class InvalidFlowDefinitionError extends FlowMigrationError {}

/** The definition claims a spec version this library can't read. */
export class UnsupportedSpecVersionError extends FlowMigrationError {
  constructor(readonly specVersion: string, readonly currentVersion: string) {
    super(`spec version ${specVersion} is newer than this library (${currentVersion})`);
  }
}

/** A legacy (pre-13) definition could not be converted. */
export class LegacyMigrationError extends FlowMigrationError {}
