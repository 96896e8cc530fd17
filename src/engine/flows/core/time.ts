/**
 * Timestamps travel through the engine as strings in goflow's JSON form (RFC 3339, UTC, `Z`,
 * fraction with trailing zeros trimmed, up to 9 digits) so that nanosecond inputs survive a
 * read/write round trip, which a JS Date (milliseconds) would not allow.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Normalises an RFC 3339 timestamp the way Go re-marshals it: a zero offset becomes `Z`, other
 * offsets are kept, trailing fraction zeros are dropped. Returns null when unparseable.
 */
export function normalizeTime(value: string): string | null {
  const m = RFC3339.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let suffix = zone.toUpperCase();
  if (suffix !== 'Z') {
    const digits = suffix.slice(1).replace(':', '');
    suffix = /^0+$/.test(digits) ? 'Z' : `${suffix[0]}${digits.slice(0, 2)}:${digits.slice(2, 4)}`;
  }
  const trimmed = (frac ?? '').replace(/0+$/, '');
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${trimmed ? `.${trimmed}` : ''}${suffix}`;
}


function withFraction(base: string, frac: string): string {
  const trimmed = frac.replace(/0+$/, '');
  return trimmed ? `${base}.${trimmed}Z` : `${base}Z`;
}

/** Formats a Date (plus optional sub-millisecond nanoseconds) in goflow's form. */
export function formatTime(date: Date, subNanos = 0): string {
  const iso = date.toISOString();
  return withFraction(iso.slice(0, 19), iso.slice(20, 23) + String(subNanos).padStart(6, '0'));
}

/** Adds seconds to a goflow timestamp keeping its sub-millisecond digits. */
export function addSeconds(value: string, seconds: number): string {
  const norm = normalizeTime(value) ?? value;
  const m = /^(.{19})(?:\.(\d+))?Z$/.exec(norm);
  if (!m) return norm;
  const ms = Date.parse(`${m[1]}Z`) + seconds * 1000;
  return withFraction(new Date(ms).toISOString().slice(0, 19), m[2] ?? '');
}
