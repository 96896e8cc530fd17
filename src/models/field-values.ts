import { DateTime } from 'luxon';
import { Decimal } from 'decimal.js';
import { parseQueryNumber } from '../engine/contactql/numbers.ts';
import type { DateStyle } from './workspaces.ts';
import type { FieldType } from './fields.ts';

/**
 * Contact field values: the raw text parsed into every typed form when it is set (as the engine
 * does), stored in typed columns (see migration 0002) and rendered by the field's type.
 *
 * Datetime parsing is a small focused parser written here because the Excellent date parser does
 * not exist yet: full ISO 8601 with an offset or Z (T or space), a bare YYYY-MM-DD, or a human date
 * in the workspace date style (separators - . / \ _ and space, two-digit years, optional
 * HH:MM[:SS[.fff]] [am|pm]; the current time of day when no time is given), read in the workspace
 * timezone. ISO without an offset, and dates in the wrong style, give no datetime.
 */

export const MAX_FIELD_TEXT = 640;

export interface ParsedFieldValue {
  text: string;
  /** plain-notation decimal, or null */
  number: string | null;
  /** ISO instant with microseconds (UTC), or null */
  datetime: string | null;
  state: string | null;
  district: string | null;
  ward: string | null;
}

export interface FieldEnv {
  timezone: string;
  dateStyle: DateStyle;
}

const MAX_NUMBER = '1e24';

export function parseFieldNumber(text: string): string | null {
  const n = parseQueryNumber(text);
  // numbers at or above 10^24 are not kept as numbers (the engine's limit)
  return n === null || new Decimal(n).abs().gte(MAX_NUMBER) ? null : n;
}

const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;
const ISO_DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PART = /(?:^|\s|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(am|pm|AM|PM|a\.m\.|p\.m\.)?(?=\s|$)/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return DateTime.fromObject({ year: y, month: m, day: d }).isValid;
}

function micros(frac: string | undefined): number {
  return frac ? Number(frac.slice(0, 6).padEnd(6, '0')) : 0;
}

/** An instant as an ISO UTC string with six fractional digits, from a local date-time in a zone. */
function toUtcIso(dt: DateTime, usec: number): string {
  const utc = dt.toUTC();
  return `${utc.toFormat("yyyy-MM-dd'T'HH:mm:ss")}.${String(usec).padStart(6, '0')}Z`;
}

export function parseFieldDatetime(input: string, env: FieldEnv, now: Date = new Date()): string | null {
  const s = input.trim();
  let m = ISO_WITH_ZONE.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec = '00', frac, off] = m;
    const zone = off === 'Z' || off === 'z' ? 'UTC' : `UTC${off.length === 3 ? `${off}:00` : off.includes(':') ? off : `${off.slice(0, 3)}:${off.slice(3)}`}`;
    const dt = DateTime.fromObject(
      { year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: +sec },
      { zone },
    );
    if (!dt.isValid || dt.hour !== +h || dt.day !== +d) return null;
    return toUtcIso(dt, micros(frac));
  }
  // only once the text looks like a date: zone conversion is most of the cost of a non-date value
  let local: DateTime | undefined;
  const nowLocal = () => (local ??= DateTime.fromJSDate(now, { zone: env.timezone }));
  m = ISO_DATE_ONLY.exec(s);
  let date: { year: number; month: number; day: number } | null = null;
  let rest = s;
  if (m) {
    date = { year: +m[1], month: +m[2], day: +m[3] };
    rest = '';
  } else {
    // ISO without an offset is not a date (RapidPro gives null for it)
    if (/^\d{4}-\d{2}-\d{2}T/.test(s)) return null;
    const pattern =
      env.dateStyle === 'year_first'
        ? /(?:^|\s)(\d{4}|\d{2})[-./\\_](\d{1,2})[-./\\_](\d{1,2})(?=\s|$|T)/
        : /(?:^|\s)(\d{1,2})[-./\\_](\d{1,2})[-./\\_](\d{4}|\d{2})(?=\s|$)/;
    const dm = pattern.exec(s);
    if (!dm) return null;
    let year: number;
    let month: number;
    let day: number;
    let yearText: string;
    if (env.dateStyle === 'year_first') [yearText, month, day] = [dm[1], +dm[2], +dm[3]];
    else if (env.dateStyle === 'day_first') [day, month, yearText] = [+dm[1], +dm[2], dm[3]];
    else [month, day, yearText] = [+dm[1], +dm[2], dm[3]];
    year = +yearText;
    if (yearText.length === 2) year += year > nowLocal().year % 100 ? 1900 : 2000;
    date = { year, month, day };
    rest = s.slice(0, dm.index) + ' ' + s.slice(dm.index + dm[0].length);
  }
  if (!validDate(date.year, date.month, date.day)) return null;
  let hour = nowLocal().hour;
  let minute = nowLocal().minute;
  let second = nowLocal().second;
  let usec = nowLocal().millisecond * 1000;
  const t = TIME_PART.exec(rest.trim() ? ` ${rest.trim()}` : '');
  if (t) {
    hour = +t[1];
    minute = +t[2];
    second = t[3] ? +t[3] : 0;
    usec = micros(t[4]);
    const ampm = t[5]?.toLowerCase().replace(/\./g, '');
    if (ampm) {
      if (hour < 1 || hour > 12) return null;
      if (ampm === 'pm' && hour < 12) hour += 12;
      if (ampm === 'am' && hour === 12) hour = 0;
    }
    if (hour > 23 || minute > 59 || second > 59) return null;
  }
  const dt = DateTime.fromObject({ ...date, hour, minute, second }, { zone: env.timezone });
  if (!dt.isValid) return null;
  return toUtcIso(dt, usec);
}

/** Parses raw text into every typed form (location forms stay empty until boundaries exist). */
export function parseFieldValue(raw: string, env: FieldEnv, now?: Date): ParsedFieldValue {
  const text = raw.slice(0, MAX_FIELD_TEXT);
  return {
    text,
    number: parseFieldNumber(text),
    datetime: parseFieldDatetime(text, env, now),
    state: null,
    district: null,
    ward: null,
  };
}

// Zone offsets by 15-minute UTC bucket: every real zone transition falls on such a boundary, and
// asking Intl (through luxon) for each value dominated the cost of rendering a page of contacts.
const offsetCache = new Map<string, number>();

function zoneOffsetMinutes(zone: string, ms: number): number {
  const key = `${zone}|${Math.floor(ms / 900_000)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    offset = DateTime.fromMillis(ms, { zone }).offset;
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * A stored datetime value ("2017-11-11 11:12:13.5+00", or its JSON form "2017-11-11T11:12:13.5+00:00")
 * rendered in the workspace zone as Python's isoformat: microseconds only when not zero.
 */
export function formatFieldDatetime(stored: string, timezone: string): string | null {
  const m = /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:\+00(?::?00)?|Z)$/.exec(stored);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const offset = zoneOffsetMinutes(timezone, ms);
  const local = new Date(ms + offset * 60_000);
  const usec = (m[7] ?? '').padEnd(6, '0');
  const frac = usec === '000000' ? '' : `.${usec}`;
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${frac}${zone}`
  );
}

export interface StoredFieldValue {
  text_value: string;
  number_value: string | null;
  datetime_value: string | null;
  state_value: string | null;
  district_value: string | null;
  ward_value: string | null;
}

/** The API's string form of a stored value for a field of the given type (null when not of that type). */
export function renderFieldValue(v: StoredFieldValue | undefined, type: FieldType, timezone: string): string | null {
  if (!v) return null;
  switch (type) {
    case 'text':
      return v.text_value;
    case 'number':
      return v.number_value === null ? null : formatNumber(v.number_value);
    case 'datetime':
      return v.datetime_value === null ? null : formatFieldDatetime(v.datetime_value, timezone);
    case 'state':
      return v.state_value ?? v.text_value;
    case 'district':
      return v.district_value ?? v.text_value;
    case 'ward':
      return v.ward_value ?? v.text_value;
  }
}

/** numeric from PostgreSQL ("12.300") in plain notation without trailing zeros. */
export function formatNumber(n: string): string {
  if (!n.includes('.')) return n === '-0' ? '0' : n;
  const s = n.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** The engine's form of a stored value: `{text, number?, datetime?, state?, district?, ward?}`. */
export function engineFieldValue(v: StoredFieldValue, timezone: string): Record<string, string | number> {
  const out: Record<string, string | number> = { text: v.text_value };
  if (v.number_value !== null) out.number = formatNumber(v.number_value);
  if (v.datetime_value !== null) out.datetime = formatFieldDatetime(v.datetime_value, timezone) ?? v.datetime_value;
  if (v.state_value !== null) out.state = v.state_value;
  if (v.district_value !== null) out.district = v.district_value;
  if (v.ward_value !== null) out.ward = v.ward_value;
  return out;
}
