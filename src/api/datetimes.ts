import { DateTime } from 'luxon';

/**
 * Renders a database timestamp ("2026-01-02 03:04:05.123456+00", UTC session) the way RapidPro's
 * API does: ISO 8601 in UTC with `Z`, six fractional digits, or none when the microseconds are zero
 * (DRF's isoformat quirk).
 */
export function formatDatetime(value: string | null | undefined): string | null {
  if (value == null) return null;
  const m = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:\+00(?::?00)?|Z)$/.exec(value);
  if (!m) throw new Error(`unexpected timestamp format: ${value}`);
  const micros = (m[3] ?? '').padEnd(6, '0');
  return micros === '000000' ? `${m[1]}T${m[2]}Z` : `${m[1]}T${m[2]}.${micros}Z`;
}

/** Like formatDatetime but always with six fractional digits (run paths and values). */
export function formatDatetimeMicros(value: string): string {
  const s = formatDatetime(value)!;
  return s.includes('.') ? s : s.replace('Z', '.000000Z');
}

const ISO_INPUT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses a filter datetime (`before`, `after`) as the `iso8601` library does: offset or Z, optional
 * fraction, `T` or space; no offset means UTC; a bare date means midnight UTC. Returns a value
 * PostgreSQL reads exactly (microseconds kept), or null when unparseable.
 */
export function parseDatetimeParam(input: string): string | null {
  const m = ISO_INPUT.exec(input.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', off = 'Z'] = m;
  const offset = off === 'Z' || off === 'z' ? 'Z' : off.length === 3 ? `${off}:00` : off.includes(':') ? off : `${off.slice(0, 3)}:${off.slice(3)}`;
  const check = DateTime.fromISO(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset === 'Z' ? 'Z' : offset}`, { setZone: true });
  if (!check.isValid) return null;
  const micros = frac ? `.${frac.slice(0, 6)}` : '';
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${micros}${offset}`;
}
