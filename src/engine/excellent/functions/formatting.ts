// Formatting functions: format, format_date, format_datetime, format_time, format_number,
// format_location, format_urn, and prompt (LLM prompt templates from the environment).
import { render, toInteger, toXBoolean, toXDate, toXDateTime, toXNumber, toXText, toXTime } from '../convert.ts';
import { isValidZone } from '../dates.ts';
import { dateParts, formatDateTime, formatValue, formatWith, timeParts } from '../format.ts';
import { formatNumber } from '../numbers.ts';
import { formatURN, parseURN } from '../urns.ts';
import { XError } from '../values.ts';
import { initialText, oneArg, oneText } from './args.ts';
import { def } from './registry.ts';
import { trimSpace } from '../words.ts';

oneArg('format', (env, v) => formatValue(env, v));

def('format_date', 1, 2, (env, args) => {
  const d = toXDate(env, args[0]);
  if (d instanceof XError) return d;
  let layout: string = env.dateFormat;
  if (args.length >= 2) {
    const l = toXText(args[1]);
    if (l instanceof XError) return l;
    layout = l;
  }
  return formatWith(env, dateParts(d), layout, 'date');
});

def('format_datetime', 1, 3, (env, args) => {
  const dt = toXDateTime(env, args[0]);
  if (dt instanceof XError) return dt;
  let layout = `${env.dateFormat} ${env.timeFormat}`;
  if (args.length >= 2) {
    const l = toXText(args[1]);
    if (l instanceof XError) return l;
    layout = l;
  }
  let zone = env.timezone;
  if (args.length === 3) {
    const z = toXText(args[2]);
    if (z instanceof XError) return z;
    if (!isValidZone(z)) return new XError(`unknown time zone ${z}`);
    zone = z;
  }
  return formatDateTime(env, dt, layout, zone);
});

def('format_time', 1, 2, (env, args) => {
  const t = toXTime(env, args[0]);
  if (t instanceof XError) return t;
  let layout = env.timeFormat;
  if (args.length >= 2) {
    const l = toXText(args[1]);
    if (l instanceof XError) return l;
    layout = l;
  }
  return formatWith(env, timeParts(t), layout, 'time');
});

def('format_number', 1, 3, (env, args) => {
  const n = toXNumber(args[0]);
  if (n instanceof XError) return n;
  let places = -1;
  if (args.length > 1) {
    const p = toInteger(args[1]);
    if (p instanceof XError) return p;
    if (p < 0 || p > 9) return new XError(`must take 0-9 number of places, got ${render(args[1])}`);
    places = p;
  }
  let human = true;
  if (args.length > 2) {
    const h = toXBoolean(args[2]);
    if (h instanceof XError) return h;
    human = h;
  }
  return formatNumber(n, env.numberFormat, places, human);
});

oneText('format_location', (_env, path) => {
  const parts = path.split('>');
  return trimSpace(parts[parts.length - 1]);
});

oneText('format_urn', (_env, urn) => {
  const p = parseURN(urn);
  if ('error' in p) return new XError(`${urn} is not a valid URN: ${p.error}`);
  return formatURN(p);
});

initialText('prompt', 0, 10, (env, name, args) => {
  const template = env.llmPrompts?.[name];
  if (template === undefined) return new XError(`unknown LLM prompt ${name}`);
  const vars: Record<string, string> = {};
  args.forEach((a, i) => (vars[`arg${i + 1}`] = render(a)));
  // prompt templates only interpolate `{{ .argN }}`
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_m, k: string) => vars[k] ?? '<no value>');
});
