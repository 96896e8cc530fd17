import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type SetResult } from '../../../conformance/harness.ts';
import { readAssets } from '../assets.ts';
import { canonical, collectKnown, firstDifference, Normalizer } from './normalize.ts';
import { testEngine, testEnvironment } from './setup.ts';

interface RunnerTest {
  environment: unknown; contact: unknown; trigger: unknown; call?: { uuid: string; channel: { uuid: string; name: string }; urn: string };
  resumes?: unknown[]; http_mocks?: Record<string, never[]>; outputs: { session: unknown; events: unknown[]; segments: unknown[] }[];
}

const readJSON = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

/** Replays one runner scenario; returns the outputs in upstream's shape. */
export async function replayRunnerTest(assetsJSON: unknown, test: RunnerTest) {
  const env = testEnvironment(test.environment);
  const { engine, webhook } = testEngine(env, test.http_mocks ?? {});
  const assets = readAssets(assetsJSON, { baseMediaURL: 'http://temba.io/', newUUID: env.uuidV4 });
  const call = test.call
    ? { ...test.call, channel: (() => { const c = assets.channel(test.call!.channel.uuid); return c ? { uuid: c.uuid, name: c.name } : test.call!.channel; })() }
    : null;
  let result = await engine.start(assets, env, test.contact, test.trigger, call);
  const outputs: { session: unknown; events: unknown[]; segments: unknown[] }[] = [];
  for (const resume of test.resumes ?? []) {
    result.session.compact();
    const sessionJSON = JSON.parse(JSON.stringify(result.session));
    outputs.push({ session: sessionJSON, events: result.events, segments: result.segments });
    if (result.session.status !== 'waiting') throw new Error(`did not stop at expected wait (status ${result.session.status})`);
    result = await engine.resume(sessionJSON, assets, env, result.contact, resume, call);
  }
  result.session.compact();
  outputs.push({ session: JSON.parse(JSON.stringify(result.session)), events: result.events, segments: result.segments });
  return { outputs, unusedMocks: webhook.unused() };
}

/**
 * Compares one scenario; returns null when it matches, else the first difference. With `exact`,
 * generated UUIDs and timestamps must equal upstream's too (reproduced, not normalised).
 */
export async function checkRunnerTest(dir: string, file: string, exact = false): Promise<string | null> {
  const name = path.basename(file, '.json');
  const assetsFile = path.join(dir, `${name.split('.')[0]}.json`);
  const test = readJSON(path.join(dir, file)) as RunnerTest;
  const assetsJSON = readJSON(assetsFile);
  const { outputs: expected, ...inputs } = test;
  const known = collectKnown(inputs, assetsJSON);
  let actual;
  try {
    actual = await replayRunnerTest(assetsJSON, test);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
  if (actual.outputs.length !== expected.length) return `expected ${expected.length} outputs, got ${actual.outputs.length}`;
  const ne = new Normalizer(known);
  const na = new Normalizer(known);
  const norm = (n: Normalizer, v: unknown) => (exact ? JSON.parse(JSON.stringify(v)) : n.normalize(JSON.parse(JSON.stringify(v))));
  for (let i = 0; i < expected.length; i++) {
    for (const part of ['events', 'segments', 'session'] as const) {
      const e = norm(ne, expected[i][part]);
      const a = norm(na, actual.outputs[i][part]);
      if (canonical(e) !== canonical(a)) return `output ${i} ${part} ${firstDifference(e, a)}`;
    }
  }
  if (actual.unusedMocks.length) return `unused HTTP mocks: ${actual.unusedMocks.join(', ')}`;
  return null;
}

export function runnerTestFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /^\w+\.\w+\.json$/.test(f)).sort();
}

export async function runRunnerSet(root: string, exact = false): Promise<SetResult> {
  const dir = path.join(root, 'goflow', 'runner');
  const result = emptyResult('runner');
  for (const file of runnerTestFiles(dir)) {
    const reason = await checkRunnerTest(dir, file, exact);
    if (reason === null) result.passed++;
    else {
      result.failed++;
      result.failures.push({ name: file, reason });
    }
  }
  return result;
}
