import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type SetResult } from '../../../conformance/harness.ts';
import { readEvent } from '../core/event-types.ts';
import { canonical, firstDifference } from './normalize.ts';

/** Each upstream event example must read against our catalogue and write back unchanged. */
export function runEventsSet(root: string): SetResult {
  const dir = path.join(root, 'goflow', 'events');
  const result = emptyResult('events');
  if (!existsSync(dir)) return result;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.snap')).sort()) {
    const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    let reason: string | null;
    try {
      const e = readEvent(json);
      reason = canonical(e) === canonical(json) ? null : firstDifference(json, e);
    } catch (err) {
      reason = (err as Error).message;
    }
    if (reason === null) result.passed++;
    else {
      result.failed++;
      result.failures.push({ name: file, reason });
    }
  }
  return result;
}
