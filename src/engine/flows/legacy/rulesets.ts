/**
 * Converts a legacy ruleset to a node with a router: waits become msg waits, webhooks/resthooks/
 * subflows/airtime become an action followed by a split on its outcome, field and expression splits
 * become switch routers on the migrated operand.
 */
import { migrateTemplate } from './expressions/migrate.ts';
import { LegacyDefinitionError } from './errors.ts';
import { type Case, type Category, type Legacy, type RulesContext, migrateRules } from './rules.ts';
import { asObject, flowReference, list, text } from './references.ts';
import { type NodeUIConfig, type UINodeType } from './ui.ts';
import { URN_SCHEMES } from './urn_schemes.ts';
import { LEGACY_WEBHOOK_PAYLOAD } from './webhook_payload.ts';

export interface MigratedRuleSet {
  node: Record<string, unknown>;
  uiType: UINodeType;
  uiConfig: NodeUIConfig;
}

const WAIT_TYPES = new Set(['wait_message', 'wait_audio', 'wait_video', 'wait_photo', 'wait_gps', 'wait_recording', 'wait_digit', 'wait_digits']);

/** Result keys are the snakified result name, as `@results.<key>` looks them up. */
export function snakify(s: string): string {
  return s.trim().replace(/[^\p{L}0-9_]+/gu, '_').toLowerCase();
}

function switchRouter(
  wait: Record<string, unknown> | null, resultName: string, categories: Category[], operand: string,
  cases: Case[], defaultCategoryUUID: string,
): Record<string, unknown> {
  const router: Record<string, unknown> = { type: 'switch' };
  if (wait) router.wait = wait;
  if (resultName) router.result_name = resultName;
  Object.assign(router, { categories, operand, cases, default_category_uuid: defaultCategoryUUID });
  return router;
}

function hintFor(rulesetType: string, finishedKey: string): { hint: Record<string, unknown> | null; operand: string } {
  switch (rulesetType) {
    case 'wait_audio': case 'wait_recording': return { hint: { type: 'audio' }, operand: '@input' };
    case 'wait_video': return { hint: { type: 'video' }, operand: '@input' };
    case 'wait_photo': return { hint: { type: 'image' }, operand: '@input' };
    case 'wait_gps': return { hint: { type: 'location' }, operand: '@input' };
    case 'wait_digit': return { hint: { type: 'digits', count: 1 }, operand: '@input.text' };
    case 'wait_digits': return { hint: { type: 'digits', terminated_by: finishedKey }, operand: '@input.text' };
    default: return { hint: null, operand: '@input' };
  }
}

function lastSegment(operand: string): string | null {
  const dot = operand.lastIndexOf('.');
  return dot >= 0 ? operand.slice(dot + 1) : null;
}

function webhookAction(config: Legacy, resultName: string, newUUID: () => string): Record<string, unknown> {
  const method = text(config.webhook_action).toUpperCase() || 'POST';
  const headers: Record<string, string> = {};
  let body = '';
  if (method === 'POST') {
    headers['Content-Type'] = 'application/json';
    body = LEGACY_WEBHOOK_PAYLOAD;
  }
  for (const h of list(config.webhook_headers)) {
    const header = asObject(h) ?? {};
    // editors sometimes left empty header rows behind
    if (text(header.name)) headers[text(header.name)] = migrateTemplate(text(header.value));
  }
  const action: Record<string, unknown> = {
    uuid: newUUID(), type: 'call_webhook', method,
    url: migrateTemplate(text(config.webhook), { urlEncode: true }),
  };
  if (Object.keys(headers).length > 0) action.headers = headers;
  if (body) action.body = body;
  if (resultName) action.result_name = resultName;
  return action;
}

/** Airtime rulesets configure an amount per country; the new action wants one amount per currency. */
function airtimeAmounts(config: Legacy): Record<string, number> {
  const amounts: Record<string, number> = {};
  for (const c of Object.values(config)) {
    const country = asObject(c) ?? {};
    const currency = text(country.currency_code);
    const amount = typeof country.amount === 'number' ? country.amount : Number(text(country.amount) || 0);
    if (currency in amounts && amounts[currency] !== amount) {
      throw new LegacyDefinitionError('unable to migrate airtime ruleset with different amounts in same currency');
    }
    amounts[currency] = amount;
  }
  return amounts;
}

export function migrateRuleSet(r: Legacy, ctx: RulesContext): MigratedRuleSet {
  const uiConfig: NodeUIConfig = {};
  const rules = list(r.rules).map((rule) => asObject(rule) ?? {});
  const { cases, categories, exits, defaultCategoryUUID, timeoutCategoryUUID } = migrateRules(rules, uiConfig, ctx);
  const resultName = text(r.label);
  const config = asObject(r.config) ?? {};
  const resultKey = snakify(resultName);
  // some older flows have no ruleset type: those were plain waits
  const type = text(r.ruleset_type) || 'wait_message';
  const operandText = text(r.operand);

  let actions: Record<string, unknown>[] = [];
  let router: Record<string, unknown>;
  let uiType: UINodeType;

  switch (type) {
    case 'subflow': {
      if (!asObject(config.flow)) throw new LegacyDefinitionError('subflow ruleset has no flow in its config');
      actions = [{ uuid: ctx.newUUID(), type: 'enter_flow', flow: flowReference(config.flow) }];
      router = switchRouter(null, resultName, categories, '@child.status', cases, defaultCategoryUUID);
      uiType = 'split_by_subflow';
      break;
    }
    case 'webhook':
      actions = [webhookAction(config, resultName, ctx.newUUID)];
      router = switchRouter(null, '', categories, `@results.${resultKey}.category`, cases, defaultCategoryUUID);
      uiType = 'split_by_webhook';
      break;
    case 'resthook': {
      const action: Record<string, unknown> = { uuid: ctx.newUUID(), type: 'call_resthook', resthook: text(config.resthook) };
      if (resultName) action.result_name = resultName;
      actions = [action];
      router = switchRouter(null, '', categories, `@results.${resultKey}.category`, cases, defaultCategoryUUID);
      uiType = 'split_by_resthook';
      break;
    }
    case 'form_field': {
      const fieldIndex = typeof config.field_index === 'number' ? config.field_index : 0;
      const delimiter = text(config.field_delimiter);
      const inner = migrateTemplate(operandText).replace(/^@/, '');
      router = switchRouter(null, resultName, categories, `@(field(${inner}, ${fieldIndex}, "${delimiter}"))`, cases, defaultCategoryUUID);
      const key = lastSegment(operandText);
      if (key !== null) Object.assign(uiConfig, { operand: { id: key }, delimiter, index: fieldIndex });
      uiType = 'split_by_run_result_delimited';
      break;
    }
    case 'group':
      // these rulesets had @step.value as operand, which was never used
      router = switchRouter(null, resultName, categories, '@contact.groups', cases, defaultCategoryUUID);
      uiType = 'split_by_groups';
      break;
    case 'flow_field': case 'contact_field': case 'expression': {
      uiType = type === 'flow_field' ? 'split_by_run_result' : type === 'contact_field' ? 'split_by_contact_field' : 'split_by_expression';
      const key = lastSegment(operandText);
      if (key !== null && type === 'flow_field') uiConfig.operand = { id: key };
      if (key !== null && type === 'contact_field') {
        if (key === 'name') uiConfig.operand = { type: 'property', id: 'name', name: 'Name' };
        else if (key === 'groups') uiType = 'split_by_expression';
        else if (URN_SCHEMES.has(key)) uiConfig.operand = { type: 'scheme', id: key };
        else uiConfig.operand = { type: 'field', id: key };
      }
      // an expression operand that errors evaluates to its own text, as legacy expressions did
      const operand = migrateTemplate(operandText, { defaultToSelf: type === 'expression' }) || '@input';
      router = switchRouter(null, resultName, categories, operand, cases, defaultCategoryUUID);
      break;
    }
    case 'random':
      router = { type: 'random', ...(resultName ? { result_name: resultName } : {}), categories };
      uiType = 'split_by_random';
      break;
    case 'airtime':
      actions = [{ uuid: ctx.newUUID(), type: 'transfer_airtime', amounts: airtimeAmounts(config), ...(resultName ? { result_name: resultName } : {}) }];
      router = switchRouter(null, '', categories, `@results.${resultKey}`, cases, defaultCategoryUUID);
      uiType = 'split_by_airtime';
      break;
    default: {
      if (!WAIT_TYPES.has(type)) throw new LegacyDefinitionError(`unrecognized ruleset type: ${type}`);
      const timeoutRule = rules.find((rule) => asObject(rule.test)?.type === 'timeout');
      const minutes = timeoutRule ? Number(asObject(timeoutRule.test)?.minutes ?? 0) : 0;
      const { hint, operand } = hintFor(type, text(r.finished_key));
      const wait: Record<string, unknown> = { type: 'msg' };
      if (minutes > 0 && timeoutCategoryUUID) wait.timeout = { seconds: 60 * minutes, category_uuid: timeoutCategoryUUID };
      if (hint) wait.hint = hint;
      router = switchRouter(wait, resultName, categories, operand, cases, defaultCategoryUUID);
      uiType = 'wait_for_response';
    }
  }

  const node: Record<string, unknown> = { uuid: text(r.uuid) };
  if (actions.length > 0) node.actions = actions;
  node.router = router;
  node.exits = exits;
  return { node, uiType, uiConfig };
}
