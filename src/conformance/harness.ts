import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Outcome of replaying one conformance set. `failures` names each failing case with a reason. */
export interface SetResult {
  set: string;
  passed: number;
  failed: number;
  skipped: number;
  failures: { name: string; reason: string }[];
}

/** A conformance set: replays upstream test data found under the conformance folder. */
export interface ConformanceSet {
  name: string;
  run(dir: string): SetResult | Promise<SetResult>;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The conformance folder: env RAPIDPRO_CONFORMANCE_DIR, else ../shared/conformance beside the clone. */
export function conformanceDir(): string {
  return process.env.RAPIDPRO_CONFORMANCE_DIR ?? path.resolve(projectRoot, '../shared/conformance');
}

/** Returns the folder when the data is present, or null (callers skip with a clear message). */
export function conformanceDirIfPresent(): string | null {
  const dir = conformanceDir();
  return existsSync(path.join(dir, 'goflow')) ? dir : null;
}

export const SKIP_MESSAGE = `conformance data not found (set RAPIDPRO_CONFORMANCE_DIR or place it at ../shared/conformance); skipping`;

export function emptyResult(set: string): SetResult {
  return { set, passed: 0, failed: 0, skipped: 0, failures: [] };
}
