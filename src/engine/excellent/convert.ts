// Conversions between Excellent values (§3.3): rendering to text, truthiness, numbers, dates and
// JSON in both directions. Failures come back as XError values.
import type { Environment } from '../environment.ts';
import { goQuote } from '../contactql/go-strings.ts';
import { Decimal } from './decimal.ts';
import { dateOf, dateTimeFromParts, parseDate, parseDateTime, parseTimeOfDay, renderDate, renderDateTime, renderTime, timeOf } from './dates.ts';
import { checkedNumber, parseStrictNumber, renderNumber, toSafeInteger } from './numbers.ts';
import { XArray, XDate, XDateTime, XError, XFunction, XObject, XTime, type XValue } from './values.ts';

/** How a value is named in error messages (text is Go-quoted). */
export function describe(v: XValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Decimal) return renderNumber(v);
  if (v instanceof XDateTime) return 'datetime';
  if (v instanceof XDate) return 'date';
  if (v instanceof XTime) return 'time';
  if (v instanceof XArray) return 'array';
  if (v instanceof XObject) return 'object';
  if (v instanceof XFunction) return `${v.name || '<anon>'}(...)`;
  return 'error';
}

/** Canonical text of a value; errors render as their message (callers check for errors first). */
export function render(v: XValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Decimal) return renderNumber(v);
  if (v instanceof XDateTime) return renderDateTime(v);
  if (v instanceof XDate) return renderDate(v);
  if (v instanceof XTime) return renderTime(v);
  if (v instanceof XArray) return '[' + v.items.map(render).join(', ') + ']';
  if (v instanceof XObject) {
    if (v.hasDefault) return render(v.getDefault());
    return '{' + v.keys().sort(byteCompare).map((k) => `${k}: ${render(v.get(k))}`).join(', ') + '}';
  }
  if (v instanceof XFunction) return v.name || '<anon>';
  return v.message;
}

/**
 * Go compares strings as UTF-8 bytes, which orders by code point. UTF-16 order differs only where a
 * surrogate (astral character) meets U+E000–U+FFFF, so those units are shifted before comparing.
 */
export function byteCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800) ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
    if (cb >= 0xd800) cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
    return ca < cb ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function toXText(v: XValue): string | XError {
  if (v instanceof XError) return v;
  return render(v);
}

export function truthy(v: XValue): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return v !== '' && v.toLowerCase() !== 'false';
  if (typeof v === 'boolean') return v;
  if (v instanceof Decimal) return !v.isZero();
  if (v instanceof XArray) return v.length > 0;
  if (v instanceof XObject) return v.hasDefault ? truthy(v.getDefault()) : v.count > 0;
  if (v instanceof XDateTime) return !(v.millis === ZERO_DATETIME_MS && v.subNanos === 0);
  if (v instanceof XDate) return !(v.year === 1 && v.month === 1 && v.day === 1);
  if (v instanceof XTime) return !v.isZero;
  if (v instanceof XFunction) return true;
  return false;
}

// Go's zero time is 0001-01-01T00:00:00Z
const ZERO_DATETIME_MS = new Date(0).setUTCFullYear(1, 0, 1);

export function toXBoolean(v: XValue): boolean | XError {
  if (v instanceof XError) return v;
  return truthy(v);
}

export function toXNumber(v: XValue): Decimal | XError {
  // numbers made with another Decimal configuration are rebased so arithmetic uses ours
  if (v instanceof Decimal) return v.constructor === Decimal ? v : new Decimal(v);
  if (v instanceof XError) return v;
  if (typeof v === 'string') {
    const n = parseStrictNumber(v);
    if (n) return n;
  } else if (v instanceof XObject && v.hasDefault) return toXNumber(v.getDefault());
  return new XError(`unable to convert ${describe(v)} to a number`);
}

/** Integer argument (truncated), bounded like Go's int32 conversions. */
export function toInteger(v: XValue): number | XError {
  const n = toXNumber(v);
  if (n instanceof XError) return n;
  const i = toSafeInteger(n);
  if (i === null || i < -2147483648 || i > 2147483647) return new XError(`number value ${renderNumber(n)} is out of range for an integer`);
  return i === 0 ? 0 : i;
}

export function toXDateTime(env: Environment, v: XValue, fillTime = false): XDateTime | XError {
  if (v instanceof XDateTime) return v;
  if (v instanceof XError) return v;
  if (v instanceof XDate) return dateTimeFromParts(env.timezone, v.year, v.month, v.day);
  if (typeof v === 'string') {
    const dt = parseDateTime(env, v, fillTime);
    if (dt) return dt;
  } else if (v instanceof XObject && v.hasDefault) return toXDateTime(env, v.getDefault(), fillTime);
  return new XError(`unable to convert ${describe(v)} to a datetime`);
}

export function toXDate(env: Environment, v: XValue): XDate | XError {
  if (v instanceof XDate) return v;
  if (v instanceof XError) return v;
  if (v instanceof XDateTime) return dateOf(new XDateTime(v.millis, v.subNanos, env.timezone));
  if (typeof v === 'string') {
    const d = parseDate(env, v);
    if (d) return d;
  } else if (v instanceof XObject && v.hasDefault) return toXDate(env, v.getDefault());
  return new XError(`unable to convert ${describe(v)} to a date`);
}

export function toXTime(env: Environment, v: XValue): XTime | XError {
  if (v instanceof XTime) return v;
  if (v instanceof XError) return v;
  if (v instanceof XDateTime) return timeOf(v);
  if (v instanceof Decimal) {
    const i = toSafeInteger(v);
    if (i !== null && i >= 0 && i <= 23) return new XTime(i, 0, 0, 0);
    if (i === 24) return new XTime(0, 0, 0, 0);
  } else if (typeof v === 'string') {
    const t = parseTimeOfDay(v);
    if (t) return t;
  } else if (v instanceof XObject && v.hasDefault) return toXTime(env, v.getDefault());
  return new XError(`unable to convert ${describe(v)} to a time`);
}

export function toXArray(v: XValue): XArray | XError {
  if (v === null) return new XArray([]);
  if (v instanceof XError) return v;
  if (v instanceof XArray) return v;
  if (v instanceof XObject && v.hasDefault) return toXArray(v.getDefault());
  return new XError(`unable to convert ${describe(v)} to an array`);
}

export function toXObject(v: XValue): XObject | XError {
  if (v === null) return new XObject();
  if (v instanceof XError) return v;
  if (v instanceof XObject) return v;
  return new XError(`unable to convert ${describe(v)} to an object`);
}

/** Typed equality used by contains/unique: same type and equal value. */
export function xEquals(a: XValue, b: XValue): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'string' || typeof a === 'boolean') return a === b;
  if (a instanceof Decimal) return b instanceof Decimal && a.eq(b);
  if (a instanceof XDateTime) return b instanceof XDateTime && a.millis === b.millis && a.subNanos === b.subNanos;
  if (a instanceof XDate) return b instanceof XDate && a.year === b.year && a.month === b.month && a.day === b.day;
  if (a instanceof XTime) return b instanceof XTime && a.hour === b.hour && a.minute === b.minute && a.second === b.second && a.nanos === b.nanos;
  if (a instanceof XArray) return b instanceof XArray && a.length === b.length && a.items.every((x, i) => xEquals(x, b.items[i]));
  if (a instanceof XObject) {
    if (!(b instanceof XObject)) return false;
    if ((a.hasDefault || b.hasDefault) && !xEquals(a.getDefault(), b.getDefault())) return false;
    const ka = a.keys().sort(byteCompare);
    const kb = b.keys().sort(byteCompare);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && xEquals(a.get(k), b.get(k)));
  }
  if (a instanceof XFunction) return b instanceof XFunction && a.name !== '' && a.name === b.name;
  return b instanceof XError && a.message === b.message;
}

// ---- JSON ----

/** JSON value (as parsed by JSON.parse, or any plain JS data) → Excellent value. */
export function toXValue(json: unknown): XValue {
  if (json === null || json === undefined) return null;
  if (typeof json === 'string') return json;
  if (typeof json === 'boolean') return json;
  if (typeof json === 'number') return checkedNumber(new Decimal(json)) ?? new XError('number value out of range');
  if (Array.isArray(json)) return new XArray(json.map(toXValue));
  if (json instanceof Decimal) return json;
  if (typeof json === 'object') {
    const o = new XObject();
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) o.setLazy(k, () => toXValue(v));
    return o;
  }
  return null;
}

/**
 * Parses JSON text keeping numbers exact (JSON.parse would turn 0.1+big numbers into floats), or an
 * error value `invalid JSON`.
 */
export function parseJSONText(text: string): XValue {
  if (text === '') return null;
  const p = new JsonReader(text);
  try {
    p.ws();
    const v = p.value(0);
    p.ws();
    if (p.i !== text.length) return new XError('invalid JSON');
    return v;
  } catch {
    return new XError('invalid JSON');
  }
}

class JsonReader {
  i = 0;
  constructor(readonly s: string) {}
  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++;
  }
  value(depth: number): XValue {
    if (depth > 10000) throw new Error('too deep');
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const o = new XObject();
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return o;
      }
      for (;;) {
        this.ws();
        if (this.s[this.i] !== '"') throw new Error('key');
        const k = this.string();
        this.ws();
        if (this.s[this.i++] !== ':') throw new Error(':');
        this.ws();
        o.set(k, this.value(depth + 1));
        this.ws();
        const d = this.s[this.i++];
        if (d === '}') return o;
        if (d !== ',') throw new Error(',');
      }
    }
    if (c === '[') {
      this.i++;
      const items: XValue[] = [];
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return new XArray(items);
      }
      for (;;) {
        this.ws();
        items.push(this.value(depth + 1));
        this.ws();
        const d = this.s[this.i++];
        if (d === ']') return new XArray(items);
        if (d !== ',') throw new Error(',');
      }
    }
    if (c === '"') return this.string();
    for (const [lit, val] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return val;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) throw new Error('value');
    this.i += m[0].length;
    return checkedNumber(new Decimal(m[0])) ?? new XError('number value out of range');
  }
  string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '\\') this.i += 2;
      else if (c === '"') {
        this.i++;
        return JSON.parse(this.s.slice(start, this.i)) as string;
      } else if (c < ' ') throw new Error('control');
      else this.i++;
    }
    throw new Error('unterminated');
  }
}

/** JSON text of a value, as `json()` writes it (keys sorted, no HTML escaping, numbers unquoted). */
export function toJSONText(v: XValue): string | XError {
  if (v instanceof XError) return v;
  return jsonOf(v);
}

const JSON_NEEDS_ESCAPE = /[\u0000-\u001f"\\\u2028\u2029\ud800-\udfff]/;

/** A JSON string literal as Go's encoder writes it (no HTML escaping; \u00XX for most controls). */
export function goJSONString(s: string): string {
  if (!JSON_NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else out += ch;
  }
  return out + '"';
}

function jsonOf(v: XValue): string {
  if (v === null || v instanceof XFunction || v instanceof XError) return 'null';
  if (typeof v === 'string') return goJSONString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Decimal) return renderNumber(v);
  if (v instanceof XDateTime) return goJSONString(renderDateTime(v));
  if (v instanceof XDate) return goJSONString(renderDate(v));
  if (v instanceof XTime) return goJSONString(renderTime(v));
  if (v instanceof XArray) return '[' + v.items.map(jsonOf).join(',') + ']';
  const keys = v.keys().sort(byteCompare);
  return '{' + keys.map((k) => `${goJSONString(k)}:${jsonOf(v.get(k))}`).join(',') + '}';
}

/** Plain JS data for a value (for the flow engine's JSON outputs). */
export function toJSON(v: XValue): unknown {
  const t = toJSONText(v);
  return t instanceof XError ? null : JSON.parse(t);
}
