// Array and object functions: slicing, searching, sorting, higher-order functions, keys/extract.
import { byteCompare, describe, toInteger, toXArray, toXBoolean, toXNumber, toXObject, toXText, xEquals } from '../convert.ts';
import { Decimal } from '../decimal.ts';
import { callValue } from '../evaluator.ts';
import { checkedNumber } from '../numbers.ts';
import { XArray, XDate, XDateTime, XError, XFunction, XObject, XTime, type XValue } from '../values.ts';
import { MAX_ARRAY_LENGTH, initialArray, oneArray, oneObject, tooManyItems, twoArrays } from './args.ts';
import { def } from './registry.ts';
import { sliceBounds } from './text.ts';
import type { Environment } from '../../environment.ts';

initialArray('slice', 1, 2, (_env, arr, rest) => {
  const start = toInteger(rest[0]);
  if (start instanceof XError) return start;
  let end: number | XError = arr.length;
  if (rest.length === 2) {
    end = toInteger(rest[1]);
    if (end instanceof XError) return end;
  }
  const [a, b] = sliceBounds(arr.length, start, end);
  return new XArray(arr.items.slice(a, b));
});

initialArray('contains', 1, 1, (_env, arr, [needle]) => {
  if (needle instanceof XError) return needle;
  return arr.items.some((x) => xEquals(x, needle));
});

initialArray('join', 1, 1, (_env, arr, [sep]) => {
  const s = toXText(sep);
  if (s instanceof XError) return s;
  const parts: string[] = [];
  for (const item of arr.items) {
    const t = toXText(item);
    if (t instanceof XError) return t;
    parts.push(t);
  }
  return parts.join(s);
});

oneArray('reverse', (_env, arr) => new XArray([...arr.items].reverse()));

function sameType(a: XValue, b: XValue): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a !== 'object' || typeof b !== 'object') return typeof a === typeof b;
  return a.constructor === b.constructor;
}

function compare(a: XValue, b: XValue): number {
  if (typeof a === 'string') return byteCompare(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b as boolean);
  if (a instanceof Decimal) return a.cmp(b as Decimal);
  if (a instanceof XDateTime) {
    const o = b as XDateTime;
    return Math.sign(a.millis - o.millis || a.subNanos - o.subNanos);
  }
  if (a instanceof XDate) {
    const o = b as XDate;
    return Math.sign(a.year - o.year || a.month - o.month || a.day - o.day);
  }
  const t = a as XTime;
  const o = b as XTime;
  return Math.sign(t.hour - o.hour || t.minute - o.minute || t.second - o.second || t.nanos - o.nanos);
}

function comparable(v: XValue): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || v instanceof Decimal || v instanceof XDateTime || v instanceof XDate || v instanceof XTime;
}

oneArray('sort', (_env, arr) => {
  if (arr.length < 2) return arr;
  const first = arr.items[0];
  for (const v of arr.items) {
    if (!comparable(v)) return new XError(`${describe(v)} isn't a comparable type`);
    if (!sameType(first, v)) return new XError("can't sort array of different types");
  }
  return new XArray([...arr.items].sort(compare));
});

oneArray('sum', (_env, arr) => {
  let total = new Decimal(0);
  for (const item of arr.items) {
    const n = toXNumber(item);
    if (n instanceof XError) return n;
    const t = checkedNumber(total.plus(n));
    if (!t) return new XError('number value out of range');
    total = t;
  }
  return total;
});

oneArray('unique', (_env, arr) => {
  const out: XValue[] = [];
  for (const v of arr.items) if (!out.some((u) => xEquals(u, v))) out.push(v);
  return new XArray(out);
});

twoArrays('concat', (_env, a, b) => {
  if (a.length + b.length > MAX_ARRAY_LENGTH) return tooManyItems();
  return new XArray([...a.items, ...b.items]);
});

function toFunction(v: XValue): XFunction | XError {
  if (v instanceof XFunction) return v;
  if (v instanceof XError) return v;
  return new XError(`${describe(v)} is not a function`);
}

function call(env: Environment, fn: XFunction, args: XValue[]): XValue {
  return callValue(fn, env, args);
}

def('filter', 2, 2, (env, args) => {
  const arr = toXArray(args[0]);
  if (arr instanceof XError) return arr;
  const fn = toFunction(args[1]);
  if (fn instanceof XError) return fn;
  const out: XValue[] = [];
  for (const item of arr.items) {
    const keep = toXBoolean(call(env, fn, [item]));
    if (keep instanceof XError) return keep;
    if (keep) out.push(item);
  }
  return new XArray(out);
});

def('foreach', 2, Infinity, (env, args) => {
  const arr = toXArray(args[0]);
  if (arr instanceof XError) return arr;
  const fn = toFunction(args[1]);
  if (fn instanceof XError) return fn;
  const out: XValue[] = [];
  for (const item of arr.items) {
    const v = call(env, fn, [item, ...args.slice(2)]);
    if (v instanceof XError) return v;
    out.push(v);
  }
  return new XArray(out);
});

def('foreach_value', 2, Infinity, (env, args) => {
  const obj = toXObject(args[0]);
  if (obj instanceof XError) return obj;
  const fn = toFunction(args[1]);
  if (fn instanceof XError) return fn;
  const out = new XObject();
  for (const k of obj.keys().sort(byteCompare)) {
    const v = call(env, fn, [obj.get(k), ...args.slice(2)]);
    if (v instanceof XError) return v;
    out.set(k, v);
  }
  return out;
});

oneObject('keys', (_env, obj) => new XArray(obj.keys().sort(byteCompare)));

def('extract', 2, 2, (_env, [o, k]) => {
  const obj = toXObject(o);
  if (obj instanceof XError) return obj;
  const key = toXText(k);
  if (key instanceof XError) return key;
  return obj.get(key);
});

def('extract_object', 2, Infinity, (_env, args) => {
  const obj = toXObject(args[0]);
  if (obj instanceof XError) return obj;
  const out = new XObject();
  const keys: string[] = [];
  for (const a of args.slice(1)) {
    const key = toXText(a);
    if (key instanceof XError) return key;
    keys.push(key);
  }
  for (const key of keys) out.set(key, obj.get(key));
  return out;
});

def('count', 1, 1, (_env, [v]) => {
  if (v === null) return new Decimal(0);
  if (v instanceof XArray) return new Decimal(v.length);
  if (v instanceof XObject) return new Decimal(v.count);
  return new XError("value isn't countable");
});
