// Argument conversion wrappers mirroring RapidPro's: convert each argument in order and return the
// first conversion error unchanged (the caller wraps it as `error calling name(...)`).
import type { Environment } from '../../environment.ts';
import { toInteger, toXArray, toXDate, toXDateTime, toXNumber, toXObject, toXText } from '../convert.ts';
import type { Decimal } from '../decimal.ts';
import { XArray, XDate, XDateTime, XError, XObject, type XValue } from '../values.ts';
import { def } from './registry.ts';

type Env = Environment;

export const MAX_ARRAY_LENGTH = 10_000;
export const tooManyItems = () => new XError(`cannot build an array with more than ${MAX_ARRAY_LENGTH} items`);

export function oneArg(name: string, fn: (env: Env, v: XValue) => XValue): void {
  def(name, 1, 1, (env, a) => fn(env, a[0]));
}

export function oneText(name: string, fn: (env: Env, s: string) => XValue): void {
  def(name, 1, 1, (env, a) => {
    const s = toXText(a[0]);
    return s instanceof XError ? s : fn(env, s);
  });
}

export function twoTexts(name: string, fn: (env: Env, a: string, b: string) => XValue): void {
  def(name, 2, 2, (env, a) => {
    const s1 = toXText(a[0]);
    if (s1 instanceof XError) return s1;
    const s2 = toXText(a[1]);
    return s2 instanceof XError ? s2 : fn(env, s1, s2);
  });
}

/** Text plus an optional second text argument that defaults to "". */
export function textAndOptionalText(name: string, fn: (env: Env, a: string, b: string) => XValue): void {
  def(name, 1, 2, (env, a) => {
    const s1 = toXText(a[0]);
    if (s1 instanceof XError) return s1;
    const s2 = a.length === 2 ? toXText(a[1]) : '';
    return s2 instanceof XError ? s2 : fn(env, s1, s2);
  });
}

/** A text first argument followed by `min`–`max` other arguments passed unconverted. */
export function initialText(name: string, min: number, max: number, fn: (env: Env, s: string, rest: XValue[]) => XValue): void {
  def(name, min + 1, max + 1, (env, a) => {
    const s = toXText(a[0]);
    return s instanceof XError ? s : fn(env, s, a.slice(1));
  });
}

export function initialArray(name: string, min: number, max: number, fn: (env: Env, arr: XArray, rest: XValue[]) => XValue): void {
  def(name, min + 1, max + 1, (env, a) => {
    const arr = toXArray(a[0]);
    return arr instanceof XError ? arr : fn(env, arr, a.slice(1));
  });
}

export function oneArray(name: string, fn: (env: Env, arr: XArray) => XValue): void {
  initialArray(name, 0, 0, (env, arr) => fn(env, arr));
}

export function twoArrays(name: string, fn: (env: Env, a: XArray, b: XArray) => XValue): void {
  def(name, 2, 2, (env, a) => {
    const a1 = toXArray(a[0]);
    if (a1 instanceof XError) return a1;
    const a2 = toXArray(a[1]);
    return a2 instanceof XError ? a2 : fn(env, a1, a2);
  });
}

export function oneNumber(name: string, fn: (env: Env, n: Decimal) => XValue): void {
  def(name, 1, 1, (env, a) => {
    const n = toXNumber(a[0]);
    return n instanceof XError ? n : fn(env, n);
  });
}

export function twoNumbers(name: string, fn: (env: Env, a: Decimal, b: Decimal) => XValue): void {
  def(name, 2, 2, (env, a) => {
    const n1 = toXNumber(a[0]);
    if (n1 instanceof XError) return n1;
    const n2 = toXNumber(a[1]);
    return n2 instanceof XError ? n2 : fn(env, n1, n2);
  });
}

export function numberAndOptionalInteger(name: string, dflt: number, fn: (env: Env, n: Decimal, i: number) => XValue): void {
  def(name, 1, 2, (env, a) => {
    const n = toXNumber(a[0]);
    if (n instanceof XError) return n;
    const i = a.length === 2 ? toInteger(a[1]) : dflt;
    return i instanceof XError ? i : fn(env, n, i);
  });
}

export function threeIntegers(name: string, fn: (env: Env, a: number, b: number, c: number) => XValue): void {
  def(name, 3, 3, (env, a) => {
    const ints: number[] = [];
    for (const v of a) {
      const i = toInteger(v);
      if (i instanceof XError) return i;
      ints.push(i);
    }
    return fn(env, ints[0], ints[1], ints[2]);
  });
}

export function oneDate(name: string, fn: (env: Env, d: XDate) => XValue): void {
  def(name, 1, 1, (env, a) => {
    const d = toXDate(env, a[0]);
    return d instanceof XError ? d : fn(env, d);
  });
}

export function oneDateTime(name: string, fn: (env: Env, d: XDateTime) => XValue): void {
  def(name, 1, 1, (env, a) => {
    const d = toXDateTime(env, a[0]);
    return d instanceof XError ? d : fn(env, d);
  });
}

export function oneObject(name: string, fn: (env: Env, o: XObject) => XValue): void {
  def(name, 1, 1, (env, a) => {
    const o = toXObject(a[0]);
    return o instanceof XError ? o : fn(env, o);
  });
}

/** First error among the values, if any. */
export function firstError(values: XValue[]): XError | null {
  for (const v of values) if (v instanceof XError) return v;
  return null;
}
