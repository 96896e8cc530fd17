import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConformanceSet } from './harness.ts';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function findModules(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) findModules(p, out);
    else if (name === 'conformance.ts') out.push(p);
  }
  return out;
}

const ORDER = [
  'contactql_parse', 'excellent_doc_examples', 'engine_templates', 'runner', 'actions', 'routers',
  'resumes', 'triggers', 'migrations', 'legacy', 'events',
];

/**
 * Every conformance set the project knows. Each engine module contributes its sets by exporting
 * `sets` from a file named conformance.ts in its folder; adding a set needs no edit here.
 */
export async function allSets(): Promise<ConformanceSet[]> {
  const sets: ConformanceSet[] = [];
  for (const file of findModules(path.join(srcDir, 'engine'))) {
    const mod = (await import(pathToFileURL(file).href)) as { sets?: ConformanceSet[] };
    sets.push(...(mod.sets ?? []));
  }
  const rank = (n: string) => (ORDER.indexOf(n) === -1 ? ORDER.length : ORDER.indexOf(n));
  return sets.sort((a, b) => rank(a.name) - rank(b.name));
}
