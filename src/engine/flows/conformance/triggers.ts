import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type SetResult } from '../../../conformance/harness.ts';
import { readAssets } from '../assets.ts';
import { triggerContext } from '../context/session.ts';
import { X } from '../expressions.ts';
import { readTrigger } from '../triggers.ts';
import { canonical, firstDifference } from './normalize.ts';

interface TriggerCase { description: string; trigger: unknown; read_error?: string; context?: unknown }

/** Reads each trigger (or fails with upstream's error) and checks the @trigger context it gives. */
export function runTriggersSet(root: string): SetResult {
  const dir = path.join(root, 'goflow', 'flows', 'triggers');
  const result = emptyResult('triggers');
  if (!existsSync(dir)) return result;
  const assets = readAssets(JSON.parse(readFileSync(path.join(dir, '_assets.json'), 'utf8')));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('_')).sort()) {
    const cases = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as TriggerCase[];
    for (const [i, tc] of cases.entries()) {
      let reason: string | null = null;
      try {
        const trigger = readTrigger(tc.trigger);
        if (tc.read_error !== undefined) reason = `expected read error "${tc.read_error}"`;
        else {
          const actual = X.toJSON(triggerContext(trigger, assets));
          reason = canonical(actual) === canonical(tc.context) ? null : firstDifference(tc.context, actual);
        }
      } catch (e) {
        reason = tc.read_error === (e as Error).message ? null : `read error: expected "${tc.read_error}" got "${(e as Error).message}"`;
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
