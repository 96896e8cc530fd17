// Dates, times and datetimes: construction in a zone, ISO rendering, and RapidPro's lenient parsing
// (ISO first, then a date by the env date format, then a time of day in the remainder).
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import type { Environment } from '../environment.ts';
import { XDate, XDateTime, XTime } from './values.ts';

const zoneCache = new Map<string, Zone | null>();

/**
 * A date beyond what JS dates can represent (about ±275,000 years). Thrown from deep inside date
 * arithmetic and turned into an error value at the function-call boundary.
 */
export class DateRangeError extends Error {
  constructor() {
    super('date value out of range');
  }
}

const MAX_MS = 8.64e15;

/** An instant, checked to be representable. */
export function checkedDateTime(millis: number, subNanos: number, zone: string): XDateTime {
  if (!(Math.abs(millis) <= MAX_MS)) throw new DateRangeError();
  return new XDateTime(millis, subNanos, zone);
}

/** Resolves a zone name (IANA, `UTC`, or `UTC±hh:mm`) to a luxon zone, null when unknown. */
export function resolveZone(name: string): Zone | null {
  let z = zoneCache.get(name);
  if (z === undefined) {
    if (name === 'UTC' || name === '') z = FixedOffsetZone.utcInstance;
    else if (name.startsWith('UTC+') || name.startsWith('UTC-')) z = FixedOffsetZone.parseSpecifier(name);
    else z = IANAZone.isValidZone(name) ? IANAZone.create(name) : null;
    zoneCache.set(name, z);
  }
  return z;
}

export function isValidZone(name: string): boolean {
  return name !== '' && resolveZone(name) !== null;
}

/** Offset zone name for a number of minutes east of UTC. */
export function offsetZoneName(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`;
}

export function pad(n: number, w: number): string {
  const s = String(n);
  return s.length >= w ? s : '0'.repeat(w - s.length) + s;
}

/** The luxon view of a datetime (millisecond precision; callers add subNanos where it matters). */
export function luxonOf(dt: XDateTime): DateTime {
  return DateTime.fromMillis(dt.millis, { zone: resolveZone(dt.zone) ?? FixedOffsetZone.utcInstance });
}

/** Nanoseconds within the second. */
export function nanosOf(dt: XDateTime): number {
  const ms = ((dt.millis % 1000) + 1000) % 1000;
  return ms * 1_000_000 + dt.subNanos;
}

/**
 * Builds a datetime from wall-clock parts in a zone; out-of-range parts overflow into the next unit
 * the way Go's time.Date normalises them (Feb 31 → Mar 3).
 */
export function dateTimeFromParts(zone: string, y: number, mo: number, d: number, h = 0, mi = 0, s = 0, nanos = 0): XDateTime {
  const wall = new Date(0);
  wall.setUTCFullYear(y, mo - 1, d);
  wall.setUTCHours(h, mi, s, 0);
  const z = resolveZone(zone) ?? FixedOffsetZone.utcInstance;
  const extraMs = Math.floor(nanos / 1_000_000);
  if (!Number.isFinite(wall.getTime())) throw new DateRangeError();
  const lx = DateTime.fromObject(
    { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds() },
    { zone: z },
  );
  if (!lx.isValid) throw new DateRangeError();
  return checkedDateTime(lx.toMillis() + extraMs, nanos % 1_000_000, zone);
}

/** The same instant seen in another zone. */
export function inZone(dt: XDateTime, zone: string): XDateTime {
  return new XDateTime(dt.millis, dt.subNanos, zone);
}

export function envNow(env: Environment): XDateTime {
  return new XDateTime(env.now().getTime(), env.nowNanos?.() ?? 0, env.timezone);
}

export interface Parts {
  year: number; month: number; day: number; hour: number; minute: number; second: number; nanos: number;
  /** Minutes east of UTC. */
  offset: number;
  /** 1 = Monday … 7 = Sunday (ISO). */
  weekday: number;
}

export function partsOf(dt: XDateTime): Parts {
  const l = luxonOf(dt);
  return { year: l.year, month: l.month, day: l.day, hour: l.hour, minute: l.minute, second: l.second, nanos: nanosOf(dt), offset: l.offset, weekday: l.weekday };
}

export function dateOf(dt: XDateTime): XDate {
  const p = partsOf(dt);
  return new XDate(p.year, p.month, p.day);
}

export function timeOf(dt: XDateTime): XTime {
  const p = partsOf(dt);
  return new XTime(p.hour, p.minute, p.second, p.nanos);
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60), 2)}${colon ? ':' : ''}${pad(a % 60, 2)}`;
}

export function renderOffset(minutes: number, colon: boolean): string {
  return offsetText(minutes, colon);
}

/** Zero-padded with a leading minus for negatives, as Go's appendInt does. */
export function signedPad(n: number, w: number): string {
  return n < 0 ? '-' + pad(-n, w) : pad(n, w);
}

function yearText(y: number): string {
  return signedPad(y, 4);
}

/** ISO-8601 with exactly 6 fraction digits, `Z` for a zero offset. */
export function renderDateTime(dt: XDateTime): string {
  const p = partsOf(dt);
  const frac = pad(Math.floor(p.nanos / 1000), 6);
  const off = p.offset === 0 ? 'Z' : offsetText(p.offset, true);
  return `${yearText(p.year)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}.${frac}${off}`;
}

export function renderDate(d: XDate): string {
  return `${yearText(d.year)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

export function renderTime(t: XTime): string {
  return `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${pad(Math.floor(t.nanos / 1000), 6)}`;
}

/** Is this a real calendar date? */
export function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

// ---- parsing ----

const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;
// Go's \b is an ASCII word boundary
const B = '(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))';
const DMY = new RegExp(`${B}([0-9]{1,2})[-.\\\\/_ ]([0-9]{1,2})[-.\\\\/_ ]([0-9]{4}|[0-9]{2})${B}`, 'g');
const YMD = new RegExp(`${B}([0-9]{4}|[0-9]{2})[-.\\\\/_ ]([0-9]{1,2})[-.\\\\/_ ]([0-9]{1,2})${B}`, 'g');
const TIME = new RegExp(`${B}([0-9]{1,2})(?:(?::)?([0-9]{2})(?::([0-9]{2})(?:\\.([0-9]+))?)?)?[^A-Za-z0-9_]*([aApP][mM])?${B}`, 'g');

function fracToNanos(frac: string | undefined): number {
  if (!frac) return 0;
  const f = frac.length > 9 ? frac.slice(0, 9) : frac;
  return parseInt(f.padEnd(9, '0'), 10);
}

/** Parses ISO-8601 (`YYYY-MM-DDThh:mm[:ss[.f]](Z|±hh:mm)`) in the env zone's terms, or null. */
export function parseISODateTime(s: string, envZone: string): XDateTime | null {
  const m = ISO_DATETIME.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const sec = m[6] ? Number(m[6]) : 0;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return null;
  const nanos = fracToNanos(m[7]);
  const offset = m[8] === 'Z' ? 0 : (m[8][0] === '-' ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6)));
  const wallMs = new Date(0).setUTCFullYear(y, mo - 1, d) + ((h * 60 + mi) * 60 + sec) * 1000;
  const instant = new XDateTime(wallMs - offset * 60000 + Math.floor(nanos / 1e6), nanos % 1e6, 'UTC');
  if (m[8] === 'Z') return instant;
  // Go keeps the env zone when its offset at that instant matches, else a fixed zone
  const inEnv = inZone(instant, envZone);
  if (partsOf(inEnv).offset === offset) return inEnv;
  return inZone(instant, offsetZoneName(offset));
}

function dateByFormat(env: Environment, s: string): { date: XDate; rest: string } | null {
  const isoPrefix = ISO_DATE_PREFIX.exec(s);
  if (isoPrefix) {
    const [y, mo, d] = [isoPrefix[1], isoPrefix[2], isoPrefix[3]].map(Number);
    if (validDate(y, mo, d)) return { date: new XDate(y, mo, d), rest: s.slice(10) };
  }
  const currentYear = new Date(env.now().getTime()).getUTCFullYear();
  const re = env.dateFormat === 'YYYY-MM-DD' ? YMD : DMY;
  const [di, mi, yi] = env.dateFormat === 'YYYY-MM-DD' ? [3, 2, 1] : env.dateFormat === 'MM-DD-YYYY' ? [2, 1, 3] : [1, 2, 3];
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    let year = Number(m[yi]);
    const month = Number(m[mi]);
    const day = Number(m[di]);
    if (m[yi].length === 2) year += year > currentYear % 1000 ? 1900 : 2000;
    if (day === 0 || day > 31 || month === 0 || month > 12 || !validDate(year, month, day)) {
      // Go's regexp continues after the whole match
      continue;
    }
    return { date: new XDate(year, month, day), rest: s.slice(m.index + m[0].length) };
  }
  return null;
}

/** Finds a time of day in text, or null. */
export function parseTimeOfDay(s: string): XTime | null {
  TIME.lastIndex = 0;
  for (let m = TIME.exec(s); m; m = TIME.exec(s)) {
    let hour = Number(m[1]);
    const minute = m[2] ? Number(m[2]) : 0;
    const second = m[3] ? Number(m[3]) : 0;
    const ampm = (m[5] ?? '').toLowerCase();
    if (hour < 12 && ampm === 'pm') hour += 12;
    else if (hour === 12 && ampm === 'am') hour -= 12;
    const nanos = fracToNanos(m[4]);
    if (hour === 24 && minute === 0 && second === 0 && nanos === 0) hour = 0;
    if (hour > 23 || minute > 59 || second > 59) continue;
    return new XTime(hour, minute, second, nanos);
  }
  return null;
}

/** RapidPro's datetime parse of free text; `fillTime` takes the time of day from now when absent. */
export function parseDateTime(env: Environment, text: string, fillTime: boolean): XDateTime | null {
  const s = text.replace(/^[ \n\r\t]+|[ \n\r\t]+$/g, '');
  const iso = parseISODateTime(s, env.timezone);
  if (iso) return iso;
  const found = dateByFormat(env, s);
  if (!found) return null;
  let t = parseTimeOfDay(found.rest);
  if (!t && fillTime) t = timeOf(envNow(env));
  const { year, month, day } = found.date;
  return dateTimeFromParts(env.timezone, year, month, day, t?.hour ?? 0, t?.minute ?? 0, t?.second ?? 0, t?.nanos ?? 0);
}

export function parseDate(env: Environment, text: string): XDate | null {
  const s = text.replace(/^[ \n\r\t]+|[ \n\r\t]+$/g, '');
  return dateByFormat(env, s)?.date ?? null;
}
