import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type SetResult } from '../../../conformance/harness.ts';
import { readAssets } from '../assets.ts';
import { inspectFlow } from '../definition/inspect.ts';
import { readFlow } from '../definition/read.ts';
import { canonical, firstDifference } from './normalize.ts';

interface IssuesCase { description: string; flow: unknown; issues: unknown[]; no_assets?: boolean }

/** Flow inspection's issue detection (missing dependencies, legacy vars, invalid regexes). */
export function runInspectionSet(root: string): SetResult {
  const dir = path.join(root, 'goflow', 'flows', 'inspect_issues');
  const result = emptyResult('inspection');
  if (!existsSync(dir)) return result;
  const assets = readAssets(JSON.parse(readFileSync(path.join(dir, '_assets.json'), 'utf8')));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('_')).sort()) {
    const cases = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as IssuesCase[];
    for (const [i, tc] of cases.entries()) {
      let reason: string | null;
      try {
        const issues = inspectFlow(readFlow(tc.flow), tc.no_assets ? null : assets).issues;
        reason = canonical(issues) === canonical(tc.issues) ? null : firstDifference(tc.issues, issues);
      } catch (e) {
        reason = `error: ${(e as Error).message}`;
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
