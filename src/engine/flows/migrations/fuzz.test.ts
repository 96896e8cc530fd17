import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { conformanceDirIfPresent, SKIP_MESSAGE } from '../../../conformance/harness.ts';
import { FlowMigrationError, LegacyMigrationError, migrateFlow } from './index.ts';
import { LegacyDefinitionError } from '../legacy/errors.ts';

/** A small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

const JUNK: unknown[] = [null, 3, -1.5, 'x', '@(', '@contact.name', [], {}, true, [null], { type: 3 }, 'base'];

function mutate(o: unknown, rnd: () => number): unknown {
  if (rnd() < 0.08) return JUNK[Math.floor(rnd() * JUNK.length)];
  if (Array.isArray(o)) return o.map((x) => mutate(x, rnd));
  if (o && typeof o === 'object') {
    return Object.fromEntries(Object.entries(o).filter(() => rnd() > 0.03).map(([k, v]) => [k, mutate(v, rnd)]));
  }
  return o;
}

test('randomly damaged definitions migrate or fail with a typed error, never a crash', (t) => {
  const dir = conformanceDirIfPresent();
  if (!dir) return t.skip(SKIP_MESSAGE);
  const migrationsDir = path.join(dir, 'goflow/flows/migrations/migrations');
  const seeds: unknown[] = readdirSync(migrationsDir).flatMap((f) =>
    (JSON.parse(readFileSync(path.join(migrationsDir, f), 'utf8')) as { original: unknown }[]).map((c) => c.original));
  for (const c of JSON.parse(readFileSync(path.join(dir, 'goflow/flows/legacy/flows.json'), 'utf8')) as { legacy: unknown }[]) seeds.push(c.legacy);

  const rnd = prng(42);
  let migrated = 0;
  for (let i = 0; i < 3000; i++) {
    const damaged = mutate(seeds[i % seeds.length], rnd);
    try {
      migrateFlow(damaged);
      migrated++;
    } catch (e) {
      assert.ok(e instanceof FlowMigrationError, `untyped error ${(e as Error).stack}`);
      // legacy conversion failures must be deliberate, not runtime errors caught on the way out
      if (e instanceof LegacyMigrationError) assert.ok(e.cause instanceof LegacyDefinitionError, `${(e.cause as Error)?.stack}`);
      // a spec migration step never throws on odd shapes
      assert.notEqual(e.constructor, FlowMigrationError, e.message);
    }
  }
  assert.ok(migrated > 0);
});
