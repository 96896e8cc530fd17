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

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** Civil date of a day count since 1970-01-01 (proleptic Gregorian). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/**
 * Formats a Date (plus optional sub-millisecond nanoseconds) in goflow's form. Hand-rolled rather
 * than toISOString: the engine stamps every event, step and run, so this is on the hot path.
 */
export function formatTime(date: Date, subNanos = 0): string {
  const t = date.getTime();
  const days = Math.floor(t / 86_400_000);
  let rem = t - days * 86_400_000;
  const [y, mo, d] = civil(days);
  if (y < 1000 || y > 9999) return withFraction(date.toISOString().slice(0, 19), date.toISOString().slice(20, 23) + String(subNanos).padStart(6, '0'));
  const h = Math.floor(rem / 3_600_000);
  rem -= h * 3_600_000;
  const mi = Math.floor(rem / 60_000);
  rem -= mi * 60_000;
  const sec = Math.floor(rem / 1000);
  const ms = rem - sec * 1000;
  const base = `${y}-${pad2(mo)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(sec)}`;
  if (ms === 0 && subNanos === 0) return `${base}Z`;
  const frac = String(ms * 1_000_000 + subNanos).padStart(9, '0');
  let end = 9;
  while (frac.charCodeAt(end - 1) === 48) end--;
  return `${base}.${frac.slice(0, end)}Z`;
}

/** Orders two RFC 3339 timestamps (nanosecond digits included); negative when a is earlier. */
export function compareTimes(a: string, b: string): number {
  const ms = Date.parse(a) - Date.parse(b);
  if (ms !== 0) return ms;
  const nanos = (t: string) => Number((/\.(\d+)/.exec(t)?.[1] ?? '').padEnd(9, '0').slice(3, 9));
  return nanos(a) - nanos(b);
}
