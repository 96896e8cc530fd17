// Conformance sets replaying RapidPro's own examples:
//  - excellent_doc_examples: the `template -> expected` examples of goflow's doc comments, evaluated in
//    the environment goflow's doc generator uses (Guayaquil, day-first dates, fixed now).
//  - engine_templates: goflow's template cases that need a full flow session context.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type ConformanceSet, type SetResult } from '../../conformance/harness.ts';
import { defaultEnvironment, type Environment } from '../environment.ts';
import type { Expr } from './ast.ts';
import { ROOT_CONTEXT_KEYS } from './api.ts';
import { parseExpression } from './parser.ts';
import { scanTemplate } from './scanner.ts';
import { evaluateTemplate } from './template.ts';
import { XObject } from './values.ts';
import { seededRandom } from './random.ts';

interface DocCase {
  source: string;
  template: string;
  expected: string;
  uses_context: boolean;
}

/**
 * The doc generator's environment: the standard test session's settings (allowed languages eng/spa,
 * day-first dates, America/Guayaquil, default country from the contact's US number), its clock fixed
 * at 2018-04-11 13:24:30.123456 -05:00, the location hierarchy and LLM prompt its tests register.
 */
export function docExamplesEnvironment(): Environment {
  return defaultEnvironment({
    dateFormat: 'DD-MM-YYYY',
    timeFormat: 'tt:mm',
    timezone: 'America/Guayaquil',
    allowedLanguages: ['eng', 'spa'],
    defaultLanguage: 'eng',
    defaultCountry: 'US',
    now: () => new Date(Date.UTC(2018, 3, 11, 18, 24, 30, 123)),
    nowNanos: () => 456_000,
    random: seededRandom(123456),
    locations: {
      name: 'Rwanda',
      aliases: ['Ruanda'],
      children: [
        {
          name: 'Kigali City',
          aliases: ['Kigali', 'Kigari'],
          children: [
            { name: 'Gasabo', children: [{ name: 'Gisozi' }, { name: 'Ndera' }] },
            { name: 'Nyarugenge', children: [] },
          ],
        },
      ],
    },
    llmPrompts: { categorize: 'Categorize the following text into one of the following: {{ .arg1 }}' },
  });
}

const ROOTS = new Set(ROOT_CONTEXT_KEYS);

function referencesContext(e: Expr): boolean {
  switch (e.k) {
    case 'ref':
      return ROOTS.has(e.name.toLowerCase());
    case 'dot':
      return referencesContext(e.obj);
    case 'index':
      return referencesContext(e.obj) || referencesContext(e.index);
    case 'call':
      return referencesContext(e.fn) || e.args.some(referencesContext);
    case 'lambda':
      return referencesContext(e.body);
    case 'neg':
    case 'paren':
      return referencesContext(e.x);
    case 'bin':
      return referencesContext(e.l) || referencesContext(e.r);
    default:
      return false;
  }
}

/** Does the template read the flow context (contact, run, ...)? Such examples need a session. */
export function needsContext(c: DocCase): boolean {
  if (c.uses_context) return true;
  return scanTemplate(c.template, null).some((p) => {
    if (p.kind === 'text') return false;
    try {
      return referencesContext(parseExpression(p.source));
    } catch {
      return false;
    }
  });
}

/** Doc comments print some characters Go-escaped (`\x20`). */
function unescapeExpected(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function runDocExamples(dir: string): SetResult {
  const result = emptyResult('excellent_doc_examples');
  const data = JSON.parse(readFileSync(path.join(dir, 'goflow', 'excellent_doc_examples.json'), 'utf8')) as { cases: DocCase[] };
  // one environment for the whole run, so rand() draws follow one seeded sequence as in the doc generator
  const env = docExamplesEnvironment();
  const context = new XObject();
  for (const c of data.cases) {
    const name = `${c.source}: ${c.template}`;
    if (needsContext(c)) {
      result.skipped++;
      continue;
    }
    const r = evaluateTemplate(c.template, context, env);
    if (c.expected === 'ERROR') {
      if (r.errors.length > 0) result.passed++;
      else {
        result.failed++;
        result.failures.push({ name, reason: `expected an error, got ${JSON.stringify(r.output)}` });
      }
      continue;
    }
    const expected = unescapeExpected(c.expected);
    if (r.errors.length === 0 && r.output === expected) result.passed++;
    else {
      result.failed++;
      const got = r.errors.length ? `error: ${r.errors[0].message}` : JSON.stringify(r.output);
      result.failures.push({ name, reason: `expected ${JSON.stringify(expected)}, got ${got}` });
    }
  }
  return result;
}

/**
 * Why most engine_templates cases cannot run: they read goflow's standard test session (contact
 * "Ryan Lewis" with fields, tickets and URNs, the "Registration" run with its results and webhook,
 * "Collect Age" child and "Parent" runs, a msg input). That session is defined in goflow's test code
 * (test/session.go), not in the conformance data. Cases that read no context at all still run, in a
 * context that has the flow context's root keys.
 */
export const ENGINE_TEMPLATES_SKIP_REASON =
  "needs goflow's standard test session (test/session.go: contact, runs, results, webhook), which the conformance data does not include";

interface TemplateCase {
  template: string;
  output?: string;
  output_json?: unknown;
  events?: { type: string; text: string }[];
  redact_urns?: boolean;
}

function templateReadsContext(template: string): boolean {
  return scanTemplate(template, ROOTS).some((p) => p.kind !== 'text');
}

export function runEngineTemplates(dir: string): SetResult {
  const result = emptyResult('engine_templates');
  const cases = JSON.parse(readFileSync(path.join(dir, 'goflow', 'flows', 'engine', 'templates.json'), 'utf8')) as TemplateCase[];
  const env = docExamplesEnvironment();
  const roots = new XObject();
  for (const key of ROOT_CONTEXT_KEYS) roots.set(key, null);
  for (const c of cases) {
    if (templateReadsContext(c.template) || c.output === undefined) {
      result.skipped++;
      continue;
    }
    const r = evaluateTemplate(c.template, roots, env);
    const expectedEvents = (c.events ?? []).map((e) => e.text);
    const gotEvents = [...r.errors.map((e) => `Error evaluating expression: ${e.message}`), ...r.warnings];
    if (r.output === c.output && JSON.stringify(gotEvents) === JSON.stringify(expectedEvents)) result.passed++;
    else {
      result.failed++;
      result.failures.push({ name: c.template, reason: `expected ${JSON.stringify(c.output)} ${JSON.stringify(expectedEvents)}, got ${JSON.stringify(r.output)} ${JSON.stringify(gotEvents)}` });
    }
  }
  return result;
}

export const sets: ConformanceSet[] = [
  { name: 'excellent_doc_examples', run: runDocExamples },
  { name: 'engine_templates', run: runEngineTemplates },
];

