import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type SetResult } from '../../../conformance/harness.ts';
import { readAssets } from '../assets.ts';
import { formatTime } from '../core/time.ts';
import { extractLocalizables, extractTemplates } from '../definition/text.ts';
import { inspectFlow } from '../definition/inspect.ts';
import { canonical, collectKnown, firstDifference, Normalizer } from './normalize.ts';
import { testEngine, testEnvironment } from './setup.ts';

const ROUTER_FLOW = '16f6eee7-9843-4333-bad2-1d7fd636452c';
const CONTACT = {
  uuid: '5d76d86b-3bb9-4d5a-b822-c9d86f5d8e4f', name: 'Ryan Lewis', status: 'active', language: 'eng',
  timezone: 'America/Guayaquil', urns: [], fields: { gender: { text: 'Male' } }, created_on: '2018-06-20T11:40:30.123456789-00:00',
};

interface RouterCase {
  description: string; router: unknown; read_error?: string; results?: unknown; events?: unknown[];
  templates?: string[]; localizables?: string[]; inspection?: unknown;
}

export async function checkRouterCase(assetsJSON: any, tc: RouterCase): Promise<string | null> {
  const json = structuredClone(assetsJSON);
  json.flows[0].nodes[0].router = tc.router;
  const assets = readAssets(json);
  const flow = assets.flow(ROUTER_FLOW);
  if (tc.read_error !== undefined) {
    if (!(flow instanceof Error)) return `expected read error "${tc.read_error}"`;
    return flow.message.endsWith(tc.read_error) ? null : `read error: expected "${tc.read_error}" got "${flow.message}"`;
  }
  if (flow instanceof Error) return `unexpected read error: ${flow.message}`;
  const env = testEnvironment();
  const { engine } = testEngine(env);
  const trigger = { type: 'manual', flow: flow.ref, triggered_on: formatTime(env.now(), env.nowNanos?.() ?? 0) };
  let result;
  try {
    result = await engine.start(assets, env, CONTACT, trigger);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
  const known = collectKnown(tc.router, assetsJSON, CONTACT);
  const ne = new Normalizer(known);
  const na = new Normalizer(known);
  const check = (part: string, e: unknown, a: unknown) => {
    const en = ne.normalize(e);
    const an = na.normalize(JSON.parse(JSON.stringify(a ?? null)));
    return canonical(en) === canonical(an) ? null : `${part} ${firstDifference(en, an)}`;
  };
  return check('results', tc.results ?? {}, result.session.runs[0].results)
    ?? check('events', tc.events ?? [], result.events.slice(1, -1))
    ?? (tc.templates ? check('templates', tc.templates, extractTemplates(flow)) : null)
    ?? (tc.localizables ? check('localizables', tc.localizables, extractLocalizables(flow)) : null)
    ?? (tc.inspection ? check('inspection', tc.inspection, inspectFlow(flow, assets)) : null);
}

export async function runRoutersSet(root: string): Promise<SetResult> {
  const dir = path.join(root, 'goflow', 'flows', 'routers');
  const result = emptyResult('routers');
  if (!existsSync(dir)) return result;
  const assetsJSON = JSON.parse(readFileSync(path.join(dir, '_assets.json'), 'utf8'));
  for (const file of ['random.json', 'switch.json']) {
    const cases = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RouterCase[];
    for (const [i, tc] of cases.entries()) {
      const reason = await checkRouterCase(assetsJSON, tc);
      if (reason === null) result.passed++;
      else {
        result.failed++;
        result.failures.push({ name: `${file}[${i}] ${tc.description}`, reason });
      }
    }
  }
  return result;
}
