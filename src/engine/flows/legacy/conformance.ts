/**
 * Replays goflow's legacy conversion cases (actions, rulesets, tests, whole flows) and its legacy
 * expression cases. Single actions, rules and rulesets are wrapped in a minimal legacy flow, as
 * upstream's tests do, and the relevant part of the converted flow is compared.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ConformanceSet, type SetResult, emptyResult } from '../../../conformance/harness.ts';
import { collectUUIDs, diffJSON } from '../migrations/json_compare.ts';
import { scanTemplate } from '../migrations/excellent/scanner.ts';
import { parseExpression } from '../migrations/excellent/expression.ts';
import { v4 as randomUUID } from 'uuid';
import { evaluateTemplate, toXValue, type XObject } from '../../excellent/index.ts';
import { defaultEnvironment } from '../../environment.ts';
import { migrateLegacyFlow } from './flow.ts';
import { migrateLegacyTemplate } from './expressions/migrate.ts';

type JSONObj = Record<string, any>;

const MEDIA_URL = 'https://myfiles.com';
const HOLDER_NODE = '10e483a8-5ffb-4c4f-917b-d43ce86c1d65';
const HOLDER_FLOW = { uuid: '50c3706e-fedb-42c0-8eab-dda3335714b7', name: 'TestFlow' };

function actionHolder(action: unknown, flowType: string): JSONObj {
  return {
    base_language: 'eng', entry: HOLDER_NODE, flow_type: flowType, metadata: HOLDER_FLOW,
    action_sets: [{ uuid: HOLDER_NODE, x: 100, y: 100, destination: null, exit_uuid: 'cfcf5cef-49f9-41a6-886b-f466575a3045', actions: [action] }],
  };
}

function testHolder(test: unknown): JSONObj {
  return {
    base_language: 'eng', entry: HOLDER_NODE, flow_type: 'F', metadata: HOLDER_FLOW,
    rule_sets: [{
      uuid: HOLDER_NODE, ruleset_type: 'wait_message', label: 'Name', operand: '@step.value', finished_key: null,
      response_type: '', x: 100, y: 0, config: {},
      rules: [{ uuid: 'c072ecb5-0686-40ea-8ed3-898dc1349783', test, category: { eng: 'All Responses' }, destination: null, destination_type: null }],
    }],
  };
}

// the destinations the ruleset cases route to
const DESTINATIONS = [
  ['5b977652-91e3-48be-8e86-7c8094b4aa8f', 'cfcf5cef-49f9-41a6-886b-f466575a3045', 2200],
  ['833fc698-d590-42dc-93e1-39e701b7e8e4', 'da3e7eaf-c087-4e80-97b5-0b2e217fcc93', 2400],
  ['42ff72d3-5f4d-4dbf-89c9-8a97864dabcd', '6a8cb81b-1b59-4cfb-b00e-575ccbafd3ba', 2600],
] as const;

function ruleSetHolder(ruleSet: unknown): JSONObj {
  return {
    base_language: 'eng', entry: HOLDER_NODE, flow_type: 'F', metadata: HOLDER_FLOW,
    rule_sets: [ruleSet],
    action_sets: DESTINATIONS.map(([uuid, exit, y]) => ({ uuid, x: 0, y, destination: null, exit_uuid: exit, actions: [] })),
  };
}

function migrate(legacy: JSONObj): JSONObj {
  return migrateLegacyFlow(legacy, { baseMediaURL: MEDIA_URL, newUUID: () => randomUUID() }) as JSONObj;
}

/** Runs one case: `compare` returns the first difference or null; a throw counts as a failure. */
function check(result: SetResult, name: string, compare: () => string | null): void {
  try {
    const diff = compare();
    if (diff) {
      result.failed++;
      result.failures.push({ name, reason: diff });
    } else {
      result.passed++;
    }
  } catch (e) {
    result.failed++;
    result.failures.push({ name, reason: `threw ${(e as Error).message}` });
  }
}

/** Compares several parts of one converted flow, all sharing one pairing of generated UUIDs. */
function diffParts(input: unknown, parts: [string, unknown, unknown][]): string | null {
  const fixed = collectUUIDs(input);
  const expected = Object.fromEntries(parts.map(([k, e]) => [k, e]));
  const actual = Object.fromEntries(parts.map(([k, , a]) => [k, a]));
  return diffJSON(expected, actual, fixed);
}

function load(dir: string, file: string): JSONObj[] {
  return JSON.parse(readFileSync(path.join(dir, 'goflow/flows/legacy', file), 'utf8')) as JSONObj[];
}

function runLegacy(dir: string): SetResult {
  const result = emptyResult('legacy');

  load(dir, 'actions.json').forEach((tc, i) => {
    const holder = actionHolder(tc.legacy_action, tc.legacy_flow_type || 'F');
    check(result, `actions[${i}] ${tc.legacy_action?.type}`, () => {
      const flow = migrate(holder);
      return diffParts(holder, [
        ['action', tc.expected_action, flow.nodes[0].actions[0]],
        ['localization', tc.expected_localization, flow.localization],
      ]);
    });
  });

  load(dir, 'tests.json').forEach((tc, i) => {
    const holder = testHolder(tc.legacy_test);
    check(result, `tests[${i}] ${tc.legacy_test?.type}`, () => {
      const flow = migrate(holder);
      const kase = flow.nodes[0].router.cases[0];
      const parts: [string, unknown, unknown][] = [
        ['case', tc.expected_case, kase],
        ['localization', tc.expected_localization, flow.localization],
      ];
      if (tc.expected_ui !== undefined) parts.push(['ui', tc.expected_ui, flow._ui.nodes[HOLDER_NODE]?.config?.cases?.[kase?.uuid]]);
      return diffParts(holder, parts);
    });
  });

  load(dir, 'rulesets.json').forEach((tc, i) => {
    const holder = ruleSetHolder(tc.legacy_ruleset);
    check(result, `rulesets[${i}] ${tc.description ?? tc.legacy_ruleset?.ruleset_type}`, () => {
      const flow = migrate(holder);
      const node = flow.nodes[0];
      return diffParts(holder, [
        ['node', tc.expected_node, node],
        ['ui', tc.expected_ui, flow._ui.nodes[node.uuid]],
        ['localization', tc.expected_localization, flow.localization],
      ]);
    });
  });

  load(dir, 'flows.json').forEach((tc, i) => {
    check(result, `flows[${i}] ${tc.legacy?.metadata?.name ?? tc.legacy?.name ?? ''}`, () =>
      diffJSON(tc.expected, migrate(tc.legacy), collectUUIDs(tc.legacy)),
    );
  });

  return result;
}

/** Every expression of a migrated template must parse as the new syntax. */
function unparseableExpression(template: string): string | null {
  for (const tok of scanTemplate(template, { topLevels: null, unescapeBody: false })) {
    if (tok.type === 'body') continue;
    try {
      parseExpression(tok.text);
    } catch (e) {
      return `${tok.text}: ${(e as Error).message}`;
    }
  }
  return null;
}

/**
 * The migration half of goflow's legacy expression cases: a template whose expressions can't be
 * migrated must come out unchanged (the expected output is then the template itself), and every
 * migrated template must be valid new syntax. Checking the evaluated output needs the Excellent
 * evaluator, which is not part of this module.
 */
function runLegacyExpressions(dir: string): SetResult {
  const result = emptyResult('legacy_expressions');
  loadLegacyExpressionCases(dir).forEach((tc, i) => {
    check(result, `legacy_expressions[${i}] ${tc.template}`, () => {
      const { template, errors } = migrateLegacyTemplate(tc.template, { urlEncode: tc.url_encode === true });
      if (errors.length > 0) {
        return template === tc.output ? null : `migration failed (${errors[0]}) but output ${JSON.stringify(tc.output)} is not the original`;
      }
      const bad = unparseableExpression(template);
      return bad ? `migrated to ${JSON.stringify(template)}, not valid: ${bad}` : null;
    });
  });
  return result;
}

/** Lower-cases keys at every level, as the legacy context was case-insensitive. */
function lowerKeys(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), lowerKeys(x)]));
}

/**
 * The legacy case variables rearranged into the new context: `flow` values become run results,
 * contact properties other than name become fields.
 */
function newContext(variables: JSONObj): JSONObj {
  const ctx: JSONObj = { fields: {}, results: {} };
  for (const [key, value] of Object.entries(variables)) {
    const k = key.toLowerCase();
    if (k === 'flow') {
      ctx.run = { results: value };
    } else if (k === 'contact' && value && typeof value === 'object') {
      const fields: JSONObj = {};
      const contact: JSONObj = { fields };
      for (const [ck, cv] of Object.entries(value as JSONObj)) {
        const lk = ck.toLowerCase();
        if (lk === '*' || lk === 'name') contact[lk] = cv;
        else fields[lk] = cv;
      }
      ctx.contact = contact;
    } else {
      ctx[k] = value;
    }
  }
  return lowerKeys(ctx) as JSONObj;
}

const DEFAULT_NOW = '2014-10-03T09:41:12.790Z';

export interface LegacyExpressionCase {
  template: string;
  context: { variables?: JSONObj; timezone: string; now?: string };
  url_encode?: boolean;
  output: string;
  errors?: string[];
}

export function loadLegacyExpressionCases(dir: string): LegacyExpressionCase[] {
  return JSON.parse(readFileSync(path.join(dir, 'goflow/flows/legacy_expressions/legacy_tests.json'), 'utf8')) as LegacyExpressionCase[];
}

/** Migrates a case's template and evaluates it; null when the migration itself failed. */
export function evaluateLegacyCase(tc: LegacyExpressionCase): { output: string; errors: number } | null {
  const { template, errors } = migrateLegacyTemplate(tc.template, { urlEncode: tc.url_encode === true });
  if (errors.length > 0) return null;
  const env = defaultEnvironment({ dateFormat: 'DD-MM-YYYY', timezone: tc.context.timezone, now: () => new Date(tc.context.now ?? DEFAULT_NOW) });
  const r = evaluateTemplate(template, toXValue(newContext(tc.context.variables ?? {})) as XObject, env);
  return { output: r.output, errors: r.errors.length };
}

/**
 * The evaluation half, judged as upstream judges it: a case whose legacy evaluation reported errors
 * must fail to evaluate after migration too. Legacy and current rendering differ (TRUE vs true, a
 * failed expression kept as text), so outputs aren't compared here. Cases whose migration failed are
 * covered by legacy_expressions and skipped.
 */
function runLegacyExpressionsEvaluation(dir: string): SetResult {
  const result = emptyResult('legacy_expressions_eval');
  loadLegacyExpressionCases(dir).forEach((tc, i) => {
    if (migrateLegacyTemplate(tc.template, { urlEncode: tc.url_encode === true }).errors.length > 0) {
      result.skipped++;
      return;
    }
    check(result, `legacy_expressions_eval[${i}] ${tc.template}`, () => {
      const r = evaluateLegacyCase(tc)!;
      const expectsError = (tc.errors ?? []).length > 0;
      return expectsError && r.errors === 0 ? `expected an error (${tc.errors![0]}), evaluated to ${JSON.stringify(r.output)}` : null;
    });
  });
  return result;
}

export const sets: ConformanceSet[] = [
  { name: 'legacy', run: runLegacy },
  { name: 'legacy_expressions', run: runLegacyExpressions },
  { name: 'legacy_expressions_eval', run: runLegacyExpressionsEvaluation },
];
