import type { EventLogger } from '../core/events.ts';
import type { Node } from '../definition/flow.ts';
import type { Run, Step } from '../run.ts';
import { callTest, testOutcome, valueToText } from '../expressions.ts';
import { routeToCategory } from './results.ts';

/**
 * Evaluates the operand, tries each case's test in order and routes to the first match, else to
 * the default category (with the operand as the match).
 */
export function routeSwitch(run: Run, node: Node, step: Step, log: EventLogger): { exitUUID: string; operand: string } {
  // the operand and every case argument are evaluated against the same state
  const picked = run.withSharedContext(() => pickCategory(run, node, log));
  const exitUUID = routeToCategory(run, node, step, picked.categoryUUID, picked.match, picked.operand, picked.extra, log);
  return { exitUUID, operand: picked.operand };
}

function pickCategory(run: Run, node: Node, log: EventLogger): { categoryUUID: string; match: string; operand: string; extra: unknown } {
  const router = node.router!;
  const env = run.session.mergedEnv();
  const [operand] = run.evaluateValue(router.operand ?? '', log);
  const operandText = operand === null || operand === undefined ? '' : valueToText(operand, env).text;

  let categoryUUID = '';
  let match = '';
  let extra: unknown = null;
  for (const c of router.cases ?? []) {
    const args = [operand];
    let localized = run.textArray(c.uuid, 'arguments', c.arguments ?? [])[0];
    if (localized.length !== (c.arguments ?? []).length) localized = c.arguments ?? [];
    for (const a of localized) args.push(run.evaluateValue(a, log)[0]);

    const outcome = testOutcome(callTest(c.type.toLowerCase(), env, args), env);
    if (outcome.error !== undefined) {
      log('error', { text: `Error calling test ${c.type.toUpperCase()}: ${outcome.error}` });
      continue;
    }
    if (!outcome.matched) continue;
    if (outcome.extraNotObject) log('error', { text: `Test ${c.type.toUpperCase()} returned non-object extra` });
    match = outcome.match;
    extra = outcome.extra ?? null;
    categoryUUID = c.category_uuid;
    break;
  }

  if (!categoryUUID && router.default_category_uuid) {
    const asText = valueToText(operand, env);
    if (asText.error) log('error', { text: asText.error });
    match = asText.text;
    categoryUUID = router.default_category_uuid;
  }

  return { categoryUUID, match, operand: operandText, extra };
}
