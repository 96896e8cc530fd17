// Date, time and datetime functions (§3.6 "Datetime", "Date", "Time").
import { toInteger, toXDateTime, toXText, toXTime } from '../convert.ts';
import { checkedDateTime, dateOf, dateTimeFromParts, envNow, inZone, isValidZone, nanosOf, offsetZoneName, partsOf, renderOffset } from '../dates.ts';
import { Decimal } from '../decimal.ts';
import { parseLayout } from '../layouts.ts';
import { XDate, XDateTime, XError, XTime } from '../values.ts';
import { oneDate, oneDateTime, oneNumber, threeIntegers } from './args.ts';
import { def } from './registry.ts';

const UNITS_ERROR = (unit: string) => new XError(`unknown unit: ${unit}, must be one of s, m, h, D, W, M, Y`);

def('parse_datetime', 2, 3, (env, args) => {
  const text = toXText(args[0]);
  if (text instanceof XError) return text;
  const layout = toXText(args[1]);
  if (layout instanceof XError) return layout;
  let zone = env.timezone;
  if (args.length === 3) {
    const tz = toXText(args[2]);
    if (tz instanceof XError) return tz;
    if (!isValidZone(tz)) return new XError(`unknown time zone ${tz}`);
    zone = tz;
  }
  const p = parseLayout(text, layout, 'datetime');
  if ('error' in p) return new XError(p.error);
  if (p.offset !== null) {
    const utc = dateTimeFromParts('UTC', p.year, p.month, p.day, p.hour, p.minute, p.second, p.nanos);
    const instant = new XDateTime(utc.millis - p.offset * 60000, utc.subNanos, 'UTC');
    if (p.offset === 0) return instant;
    const local = inZone(instant, zone);
    return partsOf(local).offset === p.offset ? local : inZone(instant, offsetZoneName(p.offset));
  }
  return dateTimeFromParts(zone, p.year, p.month, p.day, p.hour, p.minute, p.second, p.nanos);
});

oneNumber('datetime_from_epoch', (env, n) => {
  const nanos = n.times(1e9).trunc();
  if (nanos.abs().gt('9223372036854775807')) return new XError('epoch time is out of range');
  const ms = nanos.div(1e6).floor();
  return checkedDateTime(ms.toNumber(), nanos.minus(ms.times(1e6)).toNumber(), env.timezone);
});

/** Calendar days between the local dates of two datetimes (each in its own zone). */
function daysBetween(a: XDateTime, b: XDateTime): number {
  const pa = partsOf(a);
  const pb = partsOf(b);
  const da = new Date(0).setUTCFullYear(pa.year, pa.month - 1, pa.day);
  const db = new Date(0).setUTCFullYear(pb.year, pb.month - 1, pb.day);
  return Math.trunc((da - db) / 86400000);
}

def('datetime_diff', 3, 3, (env, args) => {
  const d1 = toXDateTime(env, args[0]);
  if (d1 instanceof XError) return d1;
  const d2 = toXDateTime(env, args[1]);
  if (d2 instanceof XError) return d2;
  const unit = toXText(args[2]);
  if (unit instanceof XError) return unit;
  const diffMs = d2.millis - d1.millis + (d2.subNanos - d1.subNanos) / 1e6;
  switch (unit) {
    case 's': return new Decimal(Math.trunc(diffMs / 1000));
    case 'm': return new Decimal(Math.trunc(diffMs / 60000));
    case 'h': return new Decimal(Math.trunc(diffMs / 3600000));
    case 'D': return new Decimal(daysBetween(d2, d1));
    case 'W': return new Decimal(Math.trunc(daysBetween(d2, d1) / 7));
    case 'M': {
      const p2 = partsOf(d2);
      const p1 = partsOf(d1);
      return new Decimal((p2.year - p1.year) * 12 + (p2.month - p1.month));
    }
    case 'Y': return new Decimal(partsOf(d2).year - partsOf(d1).year);
  }
  return UNITS_ERROR(unit);
});

/** Go's AddDate: adds to the wall-clock parts and normalises overflow (Jan 31 + 1 month = Mar 3). */
export function addDate(dt: XDateTime, years: number, months: number, days: number): XDateTime {
  const p = partsOf(dt);
  return dateTimeFromParts(dt.zone, p.year + years, p.month + months, p.day + days, p.hour, p.minute, p.second, p.nanos);
}

def('datetime_add', 0, Infinity, (env, args) => {
  if (args.length !== 3) return new XError(`takes exactly three arguments, received ${args.length}`);
  const dt = toXDateTime(env, args[0]);
  if (dt instanceof XError) return dt;
  const n = toInteger(args[1]);
  if (n instanceof XError) return n;
  const unit = toXText(args[2]);
  if (unit instanceof XError) return unit;
  const shift = (ms: number) => checkedDateTime(dt.millis + ms, dt.subNanos, dt.zone);
  switch (unit) {
    case 's': return shift(n * 1000);
    case 'm': return shift(n * 60000);
    case 'h': return shift(n * 3600000);
    case 'D': return addDate(dt, 0, 0, n);
    case 'W': return addDate(dt, 0, 0, n * 7);
    case 'M': return addDate(dt, 0, n, 0);
    case 'Y': return addDate(dt, n, 0, 0);
  }
  return UNITS_ERROR(unit);
});

def('replace_time', 2, 2, (env, args) => {
  const dt = toXDateTime(env, args[0]);
  if (dt instanceof XError) return dt;
  const t = toXTime(env, args[1]);
  if (t instanceof XError) return t;
  const p = partsOf(dt);
  return dateTimeFromParts(dt.zone, p.year, p.month, p.day, t.hour, t.minute, t.second, t.nanos);
});

oneDateTime('tz', (_env, dt) => (dt.zone.startsWith('UTC+') || dt.zone.startsWith('UTC-') ? '' : dt.zone));
oneDateTime('tz_offset', (_env, dt) => renderOffset(partsOf(dt).offset, false));

oneDateTime('epoch', (_env, dt) => {
  const secs = Math.floor(dt.millis / 1000);
  return new Decimal(secs).plus(new Decimal(nanosOf(dt)).div(1e9));
});

def('now', 0, 0, (env) => envNow(env));

threeIntegers('date_from_parts', (_env, y, m, d) => {
  if (m < 1 || m > 12) return new XError('invalid value for month, must be 1-12');
  const norm = new Date(0);
  norm.setUTCFullYear(y, m - 1, d);
  if (!Number.isFinite(norm.getTime())) return new XError('date value out of range');
  return new XDate(norm.getUTCFullYear(), norm.getUTCMonth() + 1, norm.getUTCDate());
});

function jsDate(d: XDate): Date {
  const js = new Date(0);
  js.setUTCFullYear(d.year, d.month - 1, d.day);
  return js;
}

oneDate('weekday', (_env, d) => new Decimal(jsDate(d).getUTCDay()));

oneDate('week_number', (_env, d) => {
  const wday = jsDate(d).getUTCDay();
  const start = new Date(0);
  start.setUTCFullYear(d.year, 0, 1);
  const yday = Math.round((jsDate(d).getTime() - start.getTime()) / 86400000);
  return new Decimal(Math.floor((yday - wday + 7) / 7) + 1);
});

def('today', 0, 0, (env) => dateOf(envNow(env)));

def('parse_time', 2, 2, (_env, args) => {
  const text = toXText(args[0]);
  if (text instanceof XError) return text;
  const layout = toXText(args[1]);
  if (layout instanceof XError) return layout;
  const p = parseLayout(text, layout, 'time');
  if ('error' in p) return new XError(p.error);
  return new XTime(p.hour, p.minute, p.second, p.nanos);
});

threeIntegers('time_from_parts', (_env, h, m, s) => {
  if (h < 0 || h > 23) return new XError('invalid value for hour, must be 0-23');
  if (m < 0 || m > 59) return new XError('invalid value for minute, must be 0-59');
  if (s < 0 || s > 59) return new XError('invalid value for second, must be 0-59');
  return new XTime(h, m, s, 0);
});
