/**
 * How each legacy (Excel-style) function call becomes a new Excellent expression: kept, renamed,
 * rewritten from a template over its parameters, or rebuilt parameter by parameter.
 */
export class FunctionMigrationError extends Error {}

type CallMigrator = (name: string, params: string[]) => string;
type ParamMigrator = (param: string) => string;

const render = (name: string, params: string[]) => `${name}(${params.join(', ')})`;

const asIs = (): CallMigrator => render;
const asRename = (newName: string): CallMigrator => (_, params) => render(newName, params);
const asJoin = (delimiter: string): CallMigrator => (_, params) => params.join(delimiter);

/** `{0}`, `{1}`... are replaced by the parameters at those positions. */
function asTemplate(template: string): CallMigrator {
  const needed = new Set([...template.matchAll(/\{(\d)\}/g)].map((m) => Number(m[1]))).size;
  return (name, params) => {
    if (needed > params.length) {
      throw new FunctionMigrationError(`expecting ${needed} params whilst migrating call to ${name} but got ${params.length}`);
    }
    return template.replace(/\{(\d)\}/g, (_, i: string) => params[Number(i)]);
  };
}

function asParams(newName: string, defaults: string[], ...migrators: ParamMigrator[]): CallMigrator {
  return (name, params) => {
    if (params.length > migrators.length) {
      throw new FunctionMigrationError(`don't know how to migrate call to ${name} with ${params.length} parameters`);
    }
    const count = Math.max(params.length, defaults.length);
    const migrated = Array.from({ length: count }, (_, i) => migrators[i](i < params.length ? params[i] : defaults[i]));
    return render(newName, migrated);
  };
}

const same: ParamMigrator = (p) => p;

/** Legacy indexes counted from 1, new ones from 0. */
const decremented: ParamMigrator = (p) => (/^[+-]?\d+$/.test(p) ? String(Number(p) - 1) : `${p} - 1`);

/** The old by_spaces flag becomes the delimiters argument. */
const bySpaces: ParamMigrator = (p) => (p.trim().toLowerCase() === 'true' ? '" \\t"' : 'NULL');

const MIGRATORS: Record<string, CallMigrator> = {
  abs: asIs(),
  and: asIs(),
  average: asRename('mean'),
  char: asIs(),
  clean: asIs(),
  code: asIs(),
  concatenate: asJoin(' & '),
  date: asRename('date_from_parts'),
  datedif: asRename('datetime_diff'),
  datevalue: asRename('date'),
  day: asTemplate('format_date({0}, "D")'),
  days: asTemplate('datetime_diff({1}, {0}, "D")'),
  edate: asTemplate('datetime_add({0}, {1}, "M")'),
  epoch: asIs(),
  exp: asTemplate('2.718281828459045 ^ {0}'),
  false: asTemplate('false'),
  field: asParams('field', [], same, decremented, same),
  first_word: asTemplate('word({0}, 0)'),
  fixed: asParams('format_number', ['', '2'], same, same, same),
  format_date: asRename('format_datetime'),
  format_location: asIs(),
  hour: asTemplate('format_datetime({0}, "tt")'),
  if: asIs(),
  int: asRename('round_down'),
  left: asTemplate('text_slice({0}, 0, {1})'),
  len: asRename('text_length'),
  lower: asIs(),
  max: asIs(),
  min: asIs(),
  minute: asTemplate('format_datetime({0}, "m")'),
  mod: asIs(),
  month: asTemplate('format_date({0}, "M")'),
  now: asIs(),
  or: asIs(),
  percent: asIs(),
  power: asTemplate('{0} ^ {1}'),
  proper: asRename('title'),
  rand: asIs(),
  randbetween: asRename('rand_between'),
  read_digits: asRename('read_chars'),
  regex_group: asRename('regex_match'),
  remove_first_word: asIs(),
  rept: asRename('repeat'),
  right: asTemplate('text_slice({0}, -{1})'),
  round: asIs(),
  rounddown: asRename('round_down'),
  roundup: asRename('round_up'),
  second: asTemplate('format_datetime({0}, "s")'),
  substitute: asRename('replace'),
  sum: asJoin(' + '),
  time: asTemplate('time_from_parts({0}, {1}, {2})'),
  timevalue: asTemplate('time({0})'),
  today: asIs(),
  true: asTemplate('true'),
  trunc: asRename('round_down'),
  unichar: asRename('char'),
  unicode: asRename('code'),
  upper: asIs(),
  weekday: asTemplate('weekday({0}) + 1'),
  word_count: asParams('word_count', [], same, bySpaces),
  word_slice: asParams('word_slice', [], same, decremented, decremented, bySpaces),
  word: asParams('word', [], same, decremented, bySpaces),
  year: asTemplate('format_date({0}, "YYYY")'),
};

/**
 * Unknown functions are kept as they are (they fail at evaluation, as they did before). A call that
 * can't be migrated (wrong number of parameters) becomes empty, as upstream does.
 */
export function migrateFunctionCall(name: string, params: string[]): string {
  try {
    return (MIGRATORS[name] ?? asIs())(name, params);
  } catch (e) {
    if (e instanceof FunctionMigrationError) return '';
    throw e;
  }
}
