import { DateTime, FixedOffsetZone } from 'luxon';
import type { DateFormat, QueryEnvironment } from './environment.ts';

/** A calendar day in a zone, and the UTC instants where it starts and (24 hours later) ends. */
export interface QueryDay {
  day: string;
  timezone: string;
  start: string;
  end: string;
}

interface CivilDate {
  year: number;
  month: number;
  day: number;
}

// full ISO datetimes (with seconds and optional fraction, or without seconds), always with a zone
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;

// human-entered dates: the env's date format decides which number is the day and which the month
const DAY_MONTH_YEAR = /\b([0-9]{1,2})[-.\\/_ ]([0-9]{1,2})[-.\\/_ ]([0-9]{4}|[0-9]{2})\b/g;
const YEAR_MONTH_DAY = /\b([0-9]{4}|[0-9]{2})[-.\\/_ ]([0-9]{1,2})[-.\\/_ ]([0-9]{1,2})\b/g;

/**
 * Reads a query value as a day, as RapidPro does for `created_on`, `last_seen_on` and datetime
 * fields: an ISO datetime names the day in its own offset, anything else names a day in the env
 * timezone. Any time of day in the value is irrelevant. Returns null when no date can be found.
 */
export function parseQueryDay(value: string, env: QueryEnvironment, now: Date): QueryDay | null {
  const str = value.replace(/^[ \n\r\t]+|[ \n\r\t]+$/g, '');
  const iso = isoDateTimeDay(str, env.timezone);
  if (iso) return dayRange(iso.date, iso.zone);
  const date = humanDate(str, env.dateFormat, now);
  return date ? dayRange(date, env.timezone) : null;
}

function isoDateTimeDay(str: string, envZone: string): { date: CivilDate; zone: string } | null {
  const m = ISO_DATETIME.exec(str);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  if (!isValidDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  const offsetMinutes = m[7] === 'Z' ? 0 : offsetToMinutes(m[7]);
  const instant = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: FixedOffsetZone.instance(offsetMinutes) });
  // a written offset that is the env zone's own offset at that moment means the env zone itself
  const envOffset = instant.setZone(envZone).offset;
  const zone = m[7] !== 'Z' && envOffset === offsetMinutes ? envZone : FixedOffsetZone.instance(offsetMinutes).name;
  return { date: { year, month, day }, zone };
}

function offsetToMinutes(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number);
  return sign * (h * 60 + m);
}

function humanDate(str: string, format: DateFormat, now: Date): CivilDate | null {
  const prefix = ISO_DATE_PREFIX.exec(str);
  if (prefix) {
    const [year, month, day] = [prefix[1], prefix[2], prefix[3]].map(Number);
    if (isValidDate(year, month, day)) return { year, month, day };
  }
  const pattern = format === 'YYYY-MM-DD' ? YEAR_MONTH_DAY : DAY_MONTH_YEAR;
  const [d, mo, y] = format === 'YYYY-MM-DD' ? [3, 2, 1] : format === 'DD-MM-YYYY' ? [1, 2, 3] : [2, 1, 3];
  const currentYear = now.getUTCFullYear();
  for (const match of str.matchAll(pattern)) {
    let year = Number(match[y]);
    const month = Number(match[mo]);
    const day = Number(match[d]);
    if (match[y].length === 2) year += year > currentYear % 1000 ? 1900 : 2000;
    if (isValidDate(year, month, day)) return { year, month, day };
  }
  return null;
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

function dayRange(date: CivilDate, zone: string): QueryDay {
  const start = DateTime.fromObject(date, { zone }).toMillis();
  const end = start + 24 * 60 * 60 * 1000;
  const day = `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
  return { day, timezone: zone, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}
