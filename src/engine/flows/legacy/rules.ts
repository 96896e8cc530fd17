/**
 * Converts legacy rules (a test, a category and a destination each) into a router's categories, exits
 * and cases. Rules sharing a category name share one category and exit; the catch-all `true` rule
 * becomes the default category and a `timeout` rule the wait's timeout category.
 */
import { migrateTemplate } from './expressions/migrate.ts';
import { LegacyDefinitionError } from './errors.ts';
import type { LocalizationBuilder } from './localization.ts';
import { asObject, text } from './references.ts';
import { baseText, readTranslations } from './translations.ts';
import { type NodeUIConfig, addCaseConfig } from './ui.ts';

export type Legacy = Record<string, unknown>;
export interface Exit { uuid: string; destination_uuid?: string }
export interface Category { uuid: string; name?: string; exit_uuid?: string }
export type Case = Record<string, unknown>;

export interface RulesContext {
  baseLanguage: string;
  localization: LocalizationBuilder;
  validDestinations: Set<string>;
  newUUID: () => string;
}

const TEST_TYPES: Record<string, string> = {
  between: 'has_number_between',
  contains: 'has_all_words',
  contains_any: 'has_any_word',
  contains_only_phrase: 'has_only_phrase',
  contains_phrase: 'has_phrase',
  date: 'has_date',
  date_after: 'has_date_gt',
  date_before: 'has_date_lt',
  date_equal: 'has_date_eq',
  district: 'has_district',
  has_email: 'has_email',
  eq: 'has_number_eq',
  gt: 'has_number_gt',
  gte: 'has_number_gte',
  in_group: 'has_group',
  lt: 'has_number_lt',
  lte: 'has_number_lte',
  not_empty: 'has_text',
  number: 'has_number',
  phone: 'has_phone',
  regex: 'has_pattern',
  starts: 'has_beginning',
  state: 'has_state',
  ward: 'has_ward',
};

const RELATIVE_DATE = /@\(date\.today\s+(\+|-)\s+(-?\d+)\)/;

export function exitFor(uuid: string, destination: unknown, valid: Set<string>): Exit {
  // a destination that isn't a node of this flow is dropped, ending the run there
  const dest = text(destination);
  return valid.has(dest) ? { uuid, destination_uuid: dest } : { uuid };
}

function testOf(rule: Legacy): Legacy {
  const t = asObject(rule.test);
  if (!t || typeof t.type !== 'string' || t.type === '') throw new LegacyDefinitionError(`field 'type' is required`);
  return t;
}

/** A numeric test value may be written as a JSON number or as text. */
function numberOrText(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  throw new LegacyDefinitionError(`expected string or number, not ${JSON.stringify(v)}`);
}

interface MigratedCase { kase: Case | null; ui: Record<string, unknown> | null }

function migrateTest(rule: Legacy, categoryUUID: string, ctx: RulesContext): MigratedCase {
  const test = testOf(rule);
  const type = String(test.type);
  let newType = TEST_TYPES[type];
  const caseUUID = ctx.newUUID();
  let args: string[];
  let ui: Record<string, unknown> | null = null;

  switch (type) {
    case 'date': case 'has_email': case 'not_empty': case 'number': case 'phone': case 'state':
      args = [];
      break;
    case 'eq': case 'gt': case 'gte': case 'lt': case 'lte':
      args = [migrateTemplate(numberOrText(test.test))];
      break;
    case 'between':
      args = [migrateTemplate(text(test.min)), migrateTemplate(text(test.max))];
      break;
    case 'contains': case 'contains_any': case 'contains_phrase': case 'contains_only_phrase': case 'regex': case 'starts': {
      const t = readTranslations(test.test, 'test');
      const base = baseText(t, ctx.baseLanguage);
      // every test argument is a template, except a regex
      args = [type === 'regex' ? base : migrateTemplate(base)];
      ctx.localization.addText(ctx.baseLanguage, t, caseUUID, 'arguments');
      break;
    }
    case 'date_equal': case 'date_after': case 'date_before': {
      const raw = text(test.test);
      args = [migrateTemplate(raw, { rawDates: true })];
      // the editor shows relative dates as a day offset
      const m = RELATIVE_DATE.exec(raw);
      const delta = m ? (m[1] === '-' ? -Number(m[2]) : Number(m[2])) : 0;
      ui = { arguments: [String(delta)] };
      break;
    }
    case 'in_group': {
      // the group is an object, or a name (an expression when it starts with @)
      const g = typeof test.test === 'string' ? { name: test.test.startsWith('@') ? migrateTemplate(test.test) : test.test } : (asObject(test.test) ?? {});
      args = [text((g as Legacy).uuid), text(g.name)];
      break;
    }
    case 'subflow':
      newType = 'has_only_text';
      args = [text(test.exit_type)];
      break;
    case 'webhook_status':
      newType = 'has_only_text';
      args = [test.status === 'success' ? 'Success' : 'Failure'];
      break;
    case 'airtime_status':
      // a failure just falls through to the default category
      if (test.exit_status !== 'success') return { kase: null, ui: null };
      newType = 'has_category';
      args = ['Success'];
      break;
    case 'district':
      args = [migrateTemplate(text(test.test))];
      break;
    case 'ward':
      args = [migrateTemplate(text(test.district)), migrateTemplate(text(test.state))];
      break;
    default:
      throw new LegacyDefinitionError(`migration of '${type}' tests not supported`);
  }

  const kase: Case = { uuid: caseUUID, type: newType, category_uuid: categoryUUID };
  if (args.length > 0) kase.arguments = args;
  return { kase, ui };
}

export interface MigratedRules {
  cases: Case[];
  categories: Category[];
  exits: Exit[];
  defaultCategoryUUID: string;
  timeoutCategoryUUID: string;
}

export function migrateRules(rules: Legacy[], uiConfig: NodeUIConfig, ctx: RulesContext): MigratedRules {
  const categories: Category[] = [];
  const exits: Exit[] = [];
  const byRule = new Map<Legacy, Category>();
  const byName = new Map<string, Category>();

  for (const rule of rules) {
    const names = readTranslations(rule.category, 'category');
    const name = baseText(names, ctx.baseLanguage);
    // catch-all rules always get their own category
    let category = testOf(rule).type !== 'true' ? byName.get(name) : undefined;
    if (!category) {
      // rule UUIDs determined the path data of legacy runs, so they become the exit UUIDs
      const exit = exitFor(text(rule.uuid), rule.destination, ctx.validDestinations);
      exits.push(exit);
      category = { uuid: ctx.newUUID() };
      if (name) category.name = name;
      if (exit.uuid) category.exit_uuid = exit.uuid;
      categories.push(category);
    }
    byRule.set(rule, category);
    byName.set(name, category);
    ctx.localization.addText(ctx.baseLanguage, names, category.uuid, 'name');
  }

  const cases: Case[] = [];
  let defaultCategoryUUID = '';
  let timeoutCategoryUUID = '';
  for (const rule of rules) {
    const category = byRule.get(rule) as Category;
    const type = testOf(rule).type;
    if (type === 'true') {
      defaultCategoryUUID = category.uuid;
      continue;
    }
    if (type === 'timeout') {
      timeoutCategoryUUID = category.uuid;
      continue;
    }
    if (type === 'webhook_status' || type === 'airtime_status') {
      // the last of these rules (the failure one) is where anything else goes
      defaultCategoryUUID = category.uuid;
    }
    const { kase, ui } = migrateTest(rule, category.uuid, ctx);
    if (kase) {
      cases.push(kase);
      if (ui) addCaseConfig(uiConfig, String(kase.uuid), ui);
    }
  }
  return { cases, categories, exits, defaultCategoryUUID, timeoutCategoryUUID };
}
