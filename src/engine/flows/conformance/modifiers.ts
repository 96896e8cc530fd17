import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type SetResult } from '../../../conformance/harness.ts';
import { readAssets } from '../assets.ts';
import { canonical, collectKnown, firstDifference, Normalizer } from './normalize.ts';
import { testEngine, testEnvironment } from './setup.ts';

interface ModifierCase { description: string; contact_before: unknown; modifier: unknown; contact_after: unknown; events: unknown[] }

/** Applies each modifier to its contact and compares the contact after and the events. */
export async function runModifiersSet(root: string): Promise<SetResult> {
  const dir = path.join(root, 'goflow', 'flows', 'modifiers');
  const result = emptyResult('modifiers');
  if (!existsSync(dir)) return result;
  const assetsJSON = JSON.parse(readFileSync(path.join(dir, '_assets.json'), 'utf8'));
  const assets = readAssets(assetsJSON);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('_')).sort()) {
    const cases = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ModifierCase[];
    for (const [i, tc] of cases.entries()) {
      const env = testEnvironment();
      // upstream's modifier tests use its default test engine, which keeps 256 chars of field text
      const { engine } = testEngine(env, {}, { maxFieldChars: 256 });
      let reason: string | null;
      try {
        const r = engine.modifyContact(assets, env, tc.contact_before, [tc.modifier]);
        const known = collectKnown(tc.contact_before, tc.modifier, assetsJSON);
        const ne = new Normalizer(known);
        const na = new Normalizer(known);
        const e = ne.normalize({ contact: tc.contact_after, events: tc.events });
        const a = na.normalize(JSON.parse(JSON.stringify({ contact: r.contact, events: r.events })));
        reason = canonical(e) === canonical(a) ? null : firstDifference(e, a);
      } catch (err) {
        reason = `error: ${(err as Error).message}`;
      }
      if (reason === null) result.passed++;
      else {
        result.failed++;
        result.failures.push({ name: `${file}[${i}] ${tc.description}`, reason });
      }
    }
  }
  return result;
}
