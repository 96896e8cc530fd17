/**
 * Rewrites templates written in the legacy expression syntax (`@contact.name`, `@flow.age.category`,
 * `@(DATEVALUE(...) + 1)`) into Excellent syntax. Expressions that can't be parsed are left as written
 * and reported in `errors`.
 */
import { scanTemplate } from '../../migrations/excellent/scanner.ts';
import { goQuote } from '../../migrations/excellent/go_strings.ts';
import { migrateContextReference } from './context.ts';
import { migrateFunctionCall } from './functions.ts';
import { type LegacyExpression, parseLegacyExpression } from './syntax.ts';

export interface LegacyMigrateOptions {
  /** wrap so that an expression evaluating to an error renders as its original text */
  defaultToSelf?: boolean;
  /** URL-encode each expression's value (webhook URLs) */
  urlEncode?: boolean;
  /** leave dates as dates instead of formatting them (date tests compare dates) */
  rawDates?: boolean;
}

export interface LegacyMigrateResult {
  template: string;
  errors: string[];
}

/** Top-level names an `@name` reference could have in a legacy flow; anything else is literal text. */
export const LEGACY_TOP_LEVELS = ['channel', 'child', 'contact', 'date', 'extra', 'flow', 'parent', 'step'];

// top-levels of the new run context, for deciding whether a migrated path can stay a bare @identifier
const RUN_TOP_LEVELS = [
  'child', 'contact', 'fields', 'globals', 'input', 'legacy_extra', 'node', 'parent', 'locals', 'results',
  'resume', 'run', 'ticket', 'trigger', 'urns', 'webhook',
];

const RETURN_TYPES: Record<string, 'number' | 'datetime' | 'date' | 'time'> = {
  abs: 'number', datetime_add: 'datetime', datetime_from_parts: 'datetime', datetime: 'datetime',
  date: 'date', format_date: 'date', max: 'number', mean: 'number', min: 'number', mod: 'number',
  now: 'datetime', sum: 'number', rand: 'number', round: 'number', round_down: 'number',
  round_up: 'number', time: 'time', time_from_parts: 'time', today: 'date',
};

/** Guesses what a migrated operand evaluates to, so `+` on dates can become date arithmetic. */
function inferType(operand: string): string {
  if (/^[+-]?\d+$/.test(operand)) return 'number';
  const call = /^(\w+)\(/.exec(operand);
  return call ? (RETURN_TYPES[call[1]] ?? '') : '';
}

function migrateAddition(left: string, right: string, op: string, rawDates: boolean): string {
  const lt = inferType(left);
  const rt = inferType(right);
  const minus = op === '-';

  if (lt === 'number' && rt === 'number') return `${left} ${op} ${right}`;
  if ((lt === 'datetime' || lt === 'date') && rt === 'number') {
    // a number added to a date means days
    const added = `datetime_add(${left}, ${minus ? '-' : ''}${right}, "D")`;
    return lt === 'date' && !rawDates ? `format_date(${added})` : added;
  }
  if (lt === 'datetime' && rt === 'time') {
    const minutes = `format_time(${right}, "tt") * 60 + format_time(${right}, "m")`;
    return `datetime_add(${left}, ${minus ? `-(${minutes})` : minutes}, "m")`;
  }
  if (rt === 'time' && !minus) return `replace_time(${left}, ${right})`;
  // types unknown until evaluation: legacy_add decides then
  return `legacy_add(${left}, ${minus ? '-' : ''}${right})`;
}

/** Legacy strings escape quotes Excel-style (`""`); new ones use backslashes. */
export function migrateStringLiteral(literal: string): string {
  return `"${literal.slice(1, -1).replaceAll('""', '\\"')}"`;
}

function translate(e: LegacyExpression, opts: LegacyMigrateOptions): string {
  const t = (x: LegacyExpression) => translate(x, opts);
  switch (e.kind) {
    case 'decimal': return e.literal;
    case 'string': return migrateStringLiteral(e.literal);
    case 'bool': return String(e.value);
    case 'ref': return migrateContextReference(e.path, opts.rawDates ?? false);
    case 'parens': return `(${t(e.exp)})`;
    case 'negate': return `-${t(e.exp)}`;
    case 'call': return migrateFunctionCall(e.name.toLowerCase(), e.params.map(t));
    case 'binary': {
      const left = t(e.left);
      const right = t(e.right);
      if (e.op === '+' || e.op === '-') return migrateAddition(left, right, e.op, opts.rawDates ?? false);
      return `${left} ${e.op === '<>' ? '!=' : e.op} ${right}`;
    }
  }
}

/** Migrates the body of one `@(...)`; throws LegacySyntaxError when it doesn't parse. */
export function migrateExpression(expression: string, opts: LegacyMigrateOptions = {}): string {
  return translate(parseLegacyExpression(expression), opts);
}

function isBareIdentifier(expression: string): boolean {
  if (!/^\p{L}+[\p{L}\p{N}_.]*$/u.test(expression)) return false;
  return RUN_TOP_LEVELS.some((top) => expression === top || expression.startsWith(top + '.'));
}

/** Puts a migrated expression back in a template, as `@path` where that's enough, else `@(...)`. */
function wrapExpression(expression: string, errorAs: string, urlEncode: boolean): string {
  let e = expression;
  if (errorAs) e = `if(is_error(${e}), ${goQuote(errorAs)}, ${e})`;
  if (urlEncode) e = `url_encode(${e})`;
  return isBareIdentifier(e) ? '@' + e : '@(' + e + ')';
}

export function migrateLegacyTemplate(template: string, opts: LegacyMigrateOptions = {}): LegacyMigrateResult {
  if (!template.includes('@')) return { template, errors: [] };
  let out = '';
  const errors: string[] = [];
  for (const tok of scanTemplate(template, { topLevels: LEGACY_TOP_LEVELS, unescapeBody: false })) {
    if (tok.type === 'body') {
      out += tok.text;
    } else if (tok.type === 'identifier') {
      const value = migrateContextReference(tok.text, opts.rawDates ?? false);
      out += wrapExpression(value, opts.defaultToSelf ? '@' + tok.text : '', opts.urlEncode ?? false);
    } else if (tok.text === '""') {
      // @("") was a workaround for editors that required non-empty text: it's just nothing
    } else {
      try {
        const value = migrateExpression(tok.text, opts);
        out += wrapExpression(value, opts.defaultToSelf ? `@(${tok.text})` : '', opts.urlEncode ?? false);
      } catch (e) {
        errors.push(`@(${tok.text}): ${(e as Error).message}`);
        out += `@(${tok.text})`;
      }
    }
  }
  return { template: out, errors };
}

/** The migrated template, ignoring errors (broken expressions stay as written). */
export function migrateTemplate(template: string, opts: LegacyMigrateOptions = {}): string {
  return migrateLegacyTemplate(template, opts).template;
}
