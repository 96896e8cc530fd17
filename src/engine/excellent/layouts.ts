// RapidPro's date/time layouts (`YYYY-MM-DD`, `h:mm aa`, ...): validation, formatting and parsing.
// Sequences are runs of one character; space : , . / T - _ pass through as literals.
import type { Environment } from '../environment.ts';
import { pad, signedPad, type Parts } from './dates.ts';

export type LayoutKind = 'date' | 'time' | 'datetime';
type SeqType = 'date' | 'time' | 'zone';

interface Seq {
  type: SeqType;
  parseable: boolean;
}

const SEQUENCES: Record<string, Seq> = {
  YY: { type: 'date', parseable: true }, YYYY: { type: 'date', parseable: true },
  M: { type: 'date', parseable: true }, MM: { type: 'date', parseable: true },
  MMM: { type: 'date', parseable: false }, MMMM: { type: 'date', parseable: false },
  D: { type: 'date', parseable: true }, DD: { type: 'date', parseable: true },
  EEE: { type: 'date', parseable: false }, EEEE: { type: 'date', parseable: false },
  fff: { type: 'time', parseable: true }, ffffff: { type: 'time', parseable: true }, fffffffff: { type: 'time', parseable: true },
  h: { type: 'time', parseable: true }, hh: { type: 'time', parseable: true },
  t: { type: 'time', parseable: true }, tt: { type: 'time', parseable: true },
  m: { type: 'time', parseable: true }, mm: { type: 'time', parseable: true },
  s: { type: 'time', parseable: true }, ss: { type: 'time', parseable: true },
  aa: { type: 'time', parseable: true }, AA: { type: 'time', parseable: true },
  Z: { type: 'zone', parseable: true }, ZZZ: { type: 'zone', parseable: true },
};

const LITERALS = new Set([' ', ':', '/', '.', ',', 'T', '-', '_']);

function includes(kind: LayoutKind, t: SeqType): boolean {
  if (kind === 'datetime') return true;
  return kind === t;
}

export type LayoutToken = { literal: string } | { seq: string };

/** Splits a layout into sequences, or returns RapidPro's error text. */
export function tokenizeLayout(layout: string, kind: LayoutKind, parsing: boolean): LayoutToken[] | string {
  const cps = [...layout];
  const out: LayoutToken[] = [];
  for (let i = 0; i < cps.length; ) {
    const r = cps[i];
    let n = 1;
    while (i + n < cps.length && cps[i + n] === r) n++;
    const seq = cps.slice(i, i + n).join('');
    i += n;
    if (LITERALS.has(r)) {
      out.push({ literal: seq });
      continue;
    }
    const def = SEQUENCES[seq];
    if (!def || !includes(kind, def.type) || (parsing && !def.parseable)) return `'${seq}' is not valid in a ${kind} ${parsing ? 'parsing' : 'formatting'} layout`;
    out.push({ seq });
  }
  return out;
}

export interface Names {
  months: string[];
  shortMonths: string[];
  days: string[];
  shortDays: string[];
  amPm: [string, string];
}

const ENGLISH: Names = {
  months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  shortMonths: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  days: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  shortDays: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
  amPm: ['AM', 'PM'],
};

// ISO 639-3 → BCP 47 for languages RapidPro workspaces commonly use
const ISO3_TO_BCP47: Record<string, string> = {
  eng: 'en', fra: 'fr', spa: 'es', por: 'pt', kin: 'rw', swa: 'sw', ara: 'ar', deu: 'de', ita: 'it', nld: 'nl', rus: 'ru',
  tur: 'tr', hin: 'hi', ben: 'bn', urd: 'ur', fas: 'fa', ind: 'id', vie: 'vi', tha: 'th', zho: 'zh', jpn: 'ja', kor: 'ko',
  amh: 'am', hau: 'ha', yor: 'yo', ibo: 'ig', som: 'so', lug: 'lg', nep: 'ne', pol: 'pl', ukr: 'uk', ron: 'ro', ell: 'el',
};

const namesCache = new Map<string, Names>();

/**
 * Month/day names for the env's default language (else its first allowed language, as RapidPro
 * defaults it), from the platform's locale data; English otherwise.
 */
export function localeNames(env: Environment): Names {
  const code = env.defaultLanguage ?? env.allowedLanguages[0];
  const lang = code ? ISO3_TO_BCP47[code] : undefined;
  if (!lang || lang === 'en') return ENGLISH;
  const tag = env.defaultCountry ? `${lang}-${env.defaultCountry}` : lang;
  let names = namesCache.get(tag);
  if (!names) {
    try {
      const at = (m: number, d: number) => new Date(Date.UTC(2023, m, d, 12));
      const fmt = (opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(tag, { ...opts, timeZone: 'UTC' });
      // months as they appear in a date (genitive in languages such as Russian), like the locale data RapidPro uses
      const monthIn = (style: 'long' | 'short') => {
        const f = fmt({ day: 'numeric', month: style });
        return (m: number) => f.formatToParts(at(m, 1)).find((p) => p.type === 'month')?.value ?? '';
      };
      const longMonth = monthIn('long');
      const shortMonth = monthIn('short');
      const df = fmt({ weekday: 'long' });
      const sdf = fmt({ weekday: 'short' });
      // 2023-01-01 was a Sunday
      names = {
        months: Array.from({ length: 12 }, (_, m) => longMonth(m)),
        shortMonths: Array.from({ length: 12 }, (_, m) => shortMonth(m)),
        days: Array.from({ length: 7 }, (_, d) => df.format(at(0, 1 + d))),
        shortDays: Array.from({ length: 7 }, (_, d) => sdf.format(at(0, 1 + d))),
        amPm: ENGLISH.amPm,
      };
    } catch {
      names = ENGLISH;
    }
    namesCache.set(tag, names);
  }
  return names;
}

function weekdayIndex(p: Parts): number {
  return p.weekday % 7; // ISO 7 (Sunday) → 0
}

function offsetText(minutes: number, zForUTC: boolean): string {
  if (zForUTC && minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`;
}

/** Formats parts with a layout; returns the error text for an invalid layout. */
export function formatLayout(p: Parts, layout: string, kind: LayoutKind, names: Names): { text: string } | { error: string } {
  const toks = tokenizeLayout(layout, kind, false);
  if (typeof toks === 'string') return { error: toks };
  let out = '';
  const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  for (const t of toks) {
    if ('literal' in t) {
      out += t.literal;
      continue;
    }
    switch (t.seq) {
      case 'YY': out += signedPad(p.year % 100, 2); break;
      case 'YYYY': out += signedPad(p.year, 4); break;
      case 'M': out += p.month; break;
      case 'MM': out += pad(p.month, 2); break;
      case 'MMM': out += names.shortMonths[p.month - 1]; break;
      case 'MMMM': out += names.months[p.month - 1]; break;
      case 'D': out += p.day; break;
      case 'DD': out += pad(p.day, 2); break;
      case 'EEE': out += names.shortDays[weekdayIndex(p)]; break;
      case 'EEEE': out += names.days[weekdayIndex(p)]; break;
      case 'fff': out += pad(p.nanos, 9).slice(0, 3); break;
      case 'ffffff': out += pad(p.nanos, 9).slice(0, 6); break;
      case 'fffffffff': out += pad(p.nanos, 9); break;
      case 'h': out += h12; break;
      case 'hh': out += pad(h12, 2); break;
      case 't': out += pad(p.hour, 2).replace(/^0+/, ''); break;
      case 'tt': out += pad(p.hour, 2); break;
      case 'm': out += p.minute; break;
      case 'mm': out += pad(p.minute, 2); break;
      case 's': out += p.second; break;
      case 'ss': out += pad(p.second, 2); break;
      case 'aa': out += names.amPm[p.hour >= 12 ? 1 : 0].toLowerCase(); break;
      case 'AA': out += names.amPm[p.hour >= 12 ? 1 : 0].toUpperCase(); break;
      case 'Z': out += offsetText(p.offset, true); break;
      case 'ZZZ': out += offsetText(p.offset, false); break;
    }
  }
  return { text: out };
}

export interface ParsedLayout {
  year: number; month: number; day: number; hour: number; minute: number; second: number; nanos: number;
  /** Minutes east of UTC when the value carried an offset. */
  offset: number | null;
}

/** Parses a value with a layout the way Go's time.Parse does for the mapped layout. */
export function parseLayout(value: string, layout: string, kind: LayoutKind): ParsedLayout | { error: string } {
  const toks = tokenizeLayout(layout, kind, true);
  if (typeof toks === 'string') return { error: toks };
  const r: ParsedLayout = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanos: 0, offset: null };
  let pm: boolean | null = null;
  let v = value;
  const fail = (seq: string) => ({ error: `cannot parse '${v}' as '${seq}'` });
  const num = (min: number, max: number): number | null => {
    const m = new RegExp(`^[0-9]{${min},${max}}`).exec(v);
    if (!m) return null;
    v = v.slice(m[0].length);
    return Number(m[0]);
  };
  for (let ti = 0; ti < toks.length; ti++) {
    const t = toks[ti];
    if ('literal' in t) {
      if (!v.startsWith(t.literal)) return fail(t.literal);
      v = v.slice(t.literal.length);
      continue;
    }
    let n: number | null = null;
    switch (t.seq) {
      case 'YYYY': n = num(4, 4); if (n !== null) r.year = n; break;
      case 'YY': n = num(2, 2); if (n !== null) r.year = n >= 69 ? 1900 + n : 2000 + n; break;
      case 'M': n = num(1, 2); if (n !== null) r.month = n; if (n !== null && (n < 1 || n > 12)) return fail(t.seq); break;
      case 'MM': n = num(2, 2); if (n !== null) r.month = n; if (n !== null && (n < 1 || n > 12)) return fail(t.seq); break;
      case 'D': n = num(1, 2); if (n !== null) r.day = n; break;
      case 'DD': n = num(2, 2); if (n !== null) r.day = n; break;
      // Go reads 24-hour values with one or two digits whatever the layout's padding
      case 'h': case 't': case 'tt': n = num(1, 2); if (n !== null) r.hour = n; break;
      case 'hh': n = num(2, 2); if (n !== null) r.hour = n; break;
      case 'm': n = num(1, 2); if (n !== null) r.minute = n; break;
      case 'mm': n = num(2, 2); if (n !== null) r.minute = n; break;
      case 's': n = num(1, 2); if (n !== null) r.second = n; break;
      case 'ss': n = num(2, 2); if (n !== null) r.second = n; break;
      case 'fff': case 'ffffff': case 'fffffffff': {
        n = num(t.seq.length, t.seq.length);
        if (n !== null) r.nanos = n * 10 ** (9 - t.seq.length);
        break;
      }
      case 'aa': case 'AA': {
        const p = v.slice(0, 2);
        const ok = t.seq === 'aa' ? p === 'am' || p === 'pm' : p === 'AM' || p === 'PM';
        if (!ok) return fail(t.seq);
        pm = p.toLowerCase() === 'pm';
        v = v.slice(2);
        n = 0;
        break;
      }
      case 'Z': case 'ZZZ': {
        if (t.seq === 'Z' && v.startsWith('Z')) {
          r.offset = 0;
          v = v.slice(1);
          n = 0;
          break;
        }
        const m = /^([+-])([0-9]{2}):([0-9]{2})/.exec(v);
        if (!m) return fail(t.seq);
        r.offset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
        v = v.slice(m[0].length);
        n = 0;
        break;
      }
    }
    if (n === null) return fail(t.seq);
    // Go accepts fractional seconds right after the seconds when the layout does not parse them next
    const next = toks[ti + 1];
    const after = toks[ti + 2];
    const fractionNext = next && 'literal' in next && /[.,]$/.test(next.literal) && after && 'seq' in after && after.seq.startsWith('f');
    if ((t.seq === 's' || t.seq === 'ss') && !fractionNext && /^[.,][0-9]/.test(v)) {
      const m = /^[.,]([0-9]+)/.exec(v)!;
      r.nanos = Number(m[1].slice(0, 9).padEnd(9, '0'));
      v = v.slice(m[0].length);
    }
  }
  if (v !== '') return { error: `extra text: '${v}'` };
  if (pm !== null) {
    if (r.hour > 12) return { error: 'hour out of range' };
    if (pm && r.hour < 12) r.hour += 12;
    else if (!pm && r.hour === 12) r.hour = 0;
  }
  if (r.hour > 23) return { error: 'hour out of range' };
  if (r.minute > 59) return { error: 'minute out of range' };
  if (r.second > 59) return { error: 'second out of range' };
  if (r.day < 1 || r.day > new Date(Date.UTC(2000 + (r.year % 400), r.month, 0)).getUTCDate()) return { error: 'day out of range' };
  return r;
}
