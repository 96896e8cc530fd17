import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type ConformanceSet, type SetResult, emptyResult } from '../../../conformance/harness.ts';
import { collectUUIDs, diffJSON } from './json_compare.ts';
import { migrateFlow } from './migrate.ts';
import { compareVersions, parseVersion, type Version } from './semver.ts';

interface MigrationCase {
  description: string;
  original: unknown;
  migrated: unknown;
}

/** Replays goflow's per-version migration cases: each original migrated up to that version only. */
function runMigrations(dir: string): SetResult {
  const result = emptyResult('migrations');
  const casesDir = path.join(dir, 'goflow/flows/migrations/migrations');
  const versions = readdirSync(casesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort((a, b) => compareVersions(parseVersion(a) as Version, parseVersion(b) as Version));

  for (const version of versions) {
    const cases = JSON.parse(readFileSync(path.join(casesDir, `${version}.json`), 'utf8')) as MigrationCase[];
    for (const tc of cases) {
      const name = `${version}: ${tc.description}`;
      try {
        const actual = migrateFlow(tc.original, { toVersion: version });
        const diff = diffJSON(tc.migrated, actual, collectUUIDs(tc.original));
        if (diff) {
          result.failed++;
          result.failures.push({ name, reason: `differs at ${diff}` });
        } else {
          result.passed++;
        }
      } catch (e) {
        result.failed++;
        result.failures.push({ name, reason: `threw ${(e as Error).message}` });
      }
    }
  }
  return result;
}

export const sets: ConformanceSet[] = [{ name: 'migrations', run: runMigrations }];
