import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type SetResult } from '../../../conformance/harness.ts';
import { readAssets } from '../assets.ts';
import { formatTime } from '../core/time.ts';
import { EngineError } from '../execution.ts';
import { readResume } from '../resumes.ts';
import { canonical, collectKnown, firstDifference, Normalizer } from './normalize.ts';
import { testEngine, testEnvironment } from './setup.ts';

interface ResumeCase {
  description: string; flow_uuid: string; wait?: unknown; resume: unknown; read_error?: string; resume_error?: string;
  events?: unknown[]; run_status?: string; session_status?: string;
}

export async function checkResumeCase(assetsJSON: any, tc: ResumeCase): Promise<string | null> {
  const json = structuredClone(assetsJSON);
  if (tc.wait) json.flows[0].nodes[0].router.wait = tc.wait;
  const assets = readAssets(json);
  let resume;
  try {
    resume = readResume(tc.resume);
  } catch (e) {
    if (tc.read_error !== undefined) return (e as Error).message === tc.read_error ? null : `read error: got "${(e as Error).message}"`;
    return `unexpected read error: ${(e as Error).message}`;
  }
  if (tc.read_error !== undefined) return `expected read error "${tc.read_error}"`;
  const flow = assets.flow(tc.flow_uuid);
  if (flow instanceof Error) return `flow read error: ${flow.message}`;
  const env = testEnvironment();
  const { engine } = testEngine(env);
  const contact = { uuid: env.uuidV4(), name: 'Bob', language: 'eng', status: 'active', created_on: formatTime(env.now(), env.nowNanos?.() ?? 0) };
  const call = flow.type === 'voice'
    ? { uuid: '01978a2f-ad9a-7f2e-ad44-6e7547078cec', channel: (({ uuid, name }) => ({ uuid, name }))(assets.channel('a78930fe-6a40-4aa8-99c3-e61b02f45ca1')!), urn: 'tel:+12065551212' }
    : null;
  const started = await engine.start(assets, env, contact, { type: 'manual', flow: flow.ref, triggered_on: formatTime(env.now(), env.nowNanos?.() ?? 0) }, call);
  if (started.session.status !== 'waiting') return `session not waiting after start (${started.session.status})`;
  const sessionJSON = JSON.parse(JSON.stringify(started.session));
  let events: unknown[] = [];
  let runStatus: string = started.session.runs[0].status;
  let sessionStatus: string = started.session.status;
  try {
    const r = await engine.resume(sessionJSON, assets, env, started.contact, resume, call);
    events = r.events.slice(0, -1);
    runStatus = r.session.runs[0].status;
    sessionStatus = r.session.status;
    if (tc.resume_error) return `expected resume error "${tc.resume_error}"`;
  } catch (e) {
    if (!(e instanceof EngineError)) return `error: ${(e as Error).message}`;
    if (e.message !== tc.resume_error) return `resume error: expected "${tc.resume_error}" got "${e.message}"`;
  }
  if (runStatus !== tc.run_status) return `run status: expected ${tc.run_status} got ${runStatus}`;
  if (sessionStatus !== tc.session_status) return `session status: expected ${tc.session_status} got ${sessionStatus}`;
  if (tc.resume_error) return null;
  const known = collectKnown(tc.resume, assetsJSON);
  const e = new Normalizer(known).normalize(tc.events ?? []);
  const a = new Normalizer(known).normalize(JSON.parse(JSON.stringify(events)));
  return canonical(e) === canonical(a) ? null : `events ${firstDifference(e, a)}`;
}

export async function runResumesSet(root: string): Promise<SetResult> {
  const dir = path.join(root, 'goflow', 'flows', 'resumes');
  const result = emptyResult('resumes');
  if (!existsSync(dir)) return result;
  const assetsJSON = JSON.parse(readFileSync(path.join(dir, '_assets.json'), 'utf8'));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('_')).sort()) {
    const cases = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ResumeCase[];
    for (const [i, tc] of cases.entries()) {
      const reason = await checkResumeCase(assetsJSON, tc);
      if (reason === null) result.passed++;
      else {
        result.failed++;
        result.failures.push({ name: `${file}[${i}] ${tc.description}`, reason });
      }
    }
  }
  return result;
}
