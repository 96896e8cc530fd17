// The locale-aware "pretty" form used by format() and the format_* functions.
import type { Environment } from '../environment.ts';
import { Decimal } from './decimal.ts';
import { inZone, partsOf } from './dates.ts';
import { formatLayout, localeNames, type LayoutKind } from './layouts.ts';
import { formatNumber } from './numbers.ts';
import { XArray, XDate, XDateTime, XError, XObject, XTime, type XValue } from './values.ts';
import { byteCompare, render } from './convert.ts';
import type { Parts } from './dates.ts';

export function dateParts(d: XDate): Parts {
  const js = new Date(0);
  js.setUTCFullYear(d.year, d.month - 1, d.day);
  return { year: d.year, month: d.month, day: d.day, hour: 0, minute: 0, second: 0, nanos: 0, offset: 0, weekday: js.getUTCDay() || 7 };
}

export function timeParts(t: XTime): Parts {
  return { year: 0, month: 1, day: 1, hour: t.hour, minute: t.minute, second: t.second, nanos: t.nanos, offset: 0, weekday: 6 };
}

export function formatWith(env: Environment, p: Parts, layout: string, kind: LayoutKind): string | XError {
  const r = formatLayout(p, layout, kind, localeNames(env));
  return 'error' in r ? new XError(r.error) : r.text;
}

export function formatDateTime(env: Environment, dt: XDateTime, layout: string, zone?: string): string | XError {
  return formatWith(env, partsOf(zone ? inZone(dt, zone) : dt), layout, 'datetime');
}

function indent(s: string, prefix: string): string {
  let out = '';
  let bol = true;
  for (const c of s) {
    if (bol && c !== '\n') out += prefix;
    out += c;
    bol = c === '\n';
  }
  return out;
}

/** format(): numbers grouped, dates in env formats, arrays comma-joined, objects as `key: value` lines. */
export function formatValue(env: Environment, v: XValue): string {
  if (v === null || v instanceof XError) return '';
  if (v instanceof Decimal) return formatNumber(v, env.numberFormat);
  if (v instanceof XDateTime) {
    const r = formatDateTime(env, v, `${env.dateFormat} ${env.timeFormat}`, env.timezone);
    return r instanceof XError ? '' : r;
  }
  if (v instanceof XDate) {
    const r = formatWith(env, dateParts(v), env.dateFormat, 'date');
    return r instanceof XError ? '' : r;
  }
  if (v instanceof XTime) {
    const r = formatWith(env, timeParts(v), env.timeFormat, 'time');
    return r instanceof XError ? '' : r;
  }
  if (v instanceof XArray) {
    const parts = v.items.map((x) => formatValue(env, x));
    if (parts.some((p) => p.includes('\n'))) return parts.map((p) => '-' + indent(p, '  ').slice(1)).join('\n');
    return parts.join(', ');
  }
  if (v instanceof XObject) {
    if (v.hasDefault) return formatValue(env, v.getDefault());
    return v
      .keys()
      .sort(byteCompare)
      .map((k) => {
        const f = formatValue(env, v.get(k));
        return f.includes('\n') ? `${k}:\n${indent(f, '  ')}` : `${k}: ${f}`;
      })
      .join('\n');
  }
  return render(v);
}
