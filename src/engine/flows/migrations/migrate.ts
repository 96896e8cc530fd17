import { v4 as randomUUID } from 'uuid';
import { FlowMigrationError, InvalidFlowDefinitionError, LegacyMigrationError, UnsupportedSpecVersionError } from './errors.ts';
import { MIGRATIONS } from './registry.ts';
import { type Version, compareVersions, formatVersion, parseVersion } from './semver.ts';
import { type JSONObject, isObject } from './primitives.ts';
import { isLegacyDefinition, migrateLegacyDefinition } from '../legacy/index.ts';

export const CURRENT_SPEC_VERSION = '14.4.2';

const REGISTERED = MIGRATIONS.map((migration) => ({ migration, version: parseVersion(migration.version) as Version }));

// newer patch releases of the current minor version can still be read
const FIRST_UNSUPPORTED = parseVersion('14.5.0') as Version;

/** A flow definition at the current spec version (the engine validates the rest when reading it). */
export interface FlowJSON {
  uuid: string;
  name: string;
  spec_version: string;
  language?: string;
  type?: string;
  nodes?: unknown[];
  [key: string]: unknown;
}

export interface MigrateOptions {
  /** Prefix for relative media paths in legacy flows. */
  baseMediaURL?: string;
  /** Source of the UUIDs that some migrations add; defaults to random v4 UUIDs. */
  newUUID?: () => string;
  /** Stop at this version instead of the current one (for testing one migration at a time). */
  toVersion?: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks uuid, name and spec_version; returns the version or the list of problems. */
function readHeader(flow: JSONObject): { version: Version } | { problems: string[] } {
  const problems: string[] = [];
  const { uuid, name, spec_version: spec } = flow;
  if (uuid === undefined || uuid === null || uuid === '') problems.push(`field 'uuid' is required`);
  else if (typeof uuid !== 'string' || !UUID_RE.test(uuid)) problems.push(`field 'uuid' must be a valid UUID`);
  if (name === undefined || name === null || name === '') problems.push(`field 'name' is required`);
  else if (typeof name !== 'string') problems.push(`field 'name' must be a string`);
  else if (Array.from(name).length > 64) problems.push(`field 'name' must be less than or equal to 64`);
  let version: Version | null = null;
  if (spec === undefined || spec === null || spec === '') problems.push(`field 'spec_version' is required`);
  else if (typeof spec !== 'string' || !(version = parseVersion(spec))) problems.push(`field 'spec_version' is not a valid version`);
  return problems.length > 0 || !version ? { problems } : { version };
}

function toObject(definition: unknown): JSONObject {
  let value = definition;
  if (typeof definition === 'string') {
    try {
      value = JSON.parse(definition);
    } catch (e) {
      throw new InvalidFlowDefinitionError(`unable to read flow header: ${(e as Error).message}`);
    }
  }
  if (!isObject(value)) throw new InvalidFlowDefinitionError(`unable to read flow header: flow definition isn't an object`);
  return value;
}

function copyOf(flow: JSONObject): JSONObject {
  try {
    return structuredClone(flow);
  } catch (e) {
    throw new InvalidFlowDefinitionError(`flow definition isn't plain JSON: ${(e as Error).message}`);
  }
}

/**
 * Brings any readable flow definition (legacy v11-era, or spec 13.0.0 onwards) to the current spec
 * version. Accepts the parsed JSON or its text; throws a FlowMigrationError subclass when it can't.
 * The caller's object is never modified; a definition that needs no migration is returned as is.
 */
export function migrateFlow(definition: unknown, opts: MigrateOptions = {}): FlowJSON {
  const newUUID = opts.newUUID ?? (() => randomUUID());
  const input = toObject(definition);
  let flow = input;

  let header = readHeader(flow);
  if ('problems' in header && isLegacyDefinition(flow)) {
    try {
      flow = migrateLegacyDefinition(flow, { baseMediaURL: opts.baseMediaURL ?? '', newUUID });
    } catch (e) {
      throw new LegacyMigrationError(`error migrating what appears to be a legacy definition: ${(e as Error).message}`, { cause: e });
    }
    header = readHeader(flow);
  }
  if ('problems' in header) throw new InvalidFlowDefinitionError(`unable to read flow header: ${header.problems.join(', ')}`);

  const target = opts.toVersion ? parseVersion(opts.toVersion) : null;
  const from = header.version;
  const pending = REGISTERED.filter(({ version: v }) => compareVersions(v, from) > 0 && !(target && compareVersions(v, target) > 0))
    .map(({ migration }) => migration);
  // migrations edit in place: work on a copy unless the flow is already one we built
  if (pending.length > 0 && flow === input) flow = copyOf(flow);
  for (const migration of pending) {
    try {
      migration.migrate(flow, { newUUID });
    } catch (e) {
      throw new FlowMigrationError(`unable to migrate to version ${migration.version}: ${(e as Error).message}`, { cause: e });
    }
    flow.spec_version = migration.version;
  }

  if (compareVersions(header.version, FIRST_UNSUPPORTED) >= 0) {
    throw new UnsupportedSpecVersionError(formatVersion(header.version), CURRENT_SPEC_VERSION);
  }
  return flow as FlowJSON;
}
