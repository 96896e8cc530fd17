// Number rules shared by conversion, operators and functions: RapidPro keeps numbers within 36
// significant digits and an adjusted exponent of ±100, and reads text numbers strictly.
import { Decimal } from './decimal.ts';
import type { NumberFormat } from '../environment.ts';
import { trimSpace } from './words.ts';

const MAX_DIGITS = 36;
const STRICT_NUMBER = /^-?(\d+|\d+\.\d+|\.\d+)$/;

/** The value itself when within RapidPro's range, else null. */
export function checkedNumber(d: Decimal): Decimal | null {
  if (d.isZero()) return d;
  if (!d.isFinite()) return null;
  const digits = d.toFixed().replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length > MAX_DIGITS) return null;
  const adjExp = d.e; // decimal.js exponent is already the adjusted one
  if (adjExp > 100 || adjExp < -100) return null;
  return d;
}

/** Strict parse of text as a number (no +, no exponent, no grouping), or null. */
export function parseStrictNumber(text: string): Decimal | null {
  const s = trimSpace(text);
  if (!STRICT_NUMBER.test(s)) return null;
  return checkedNumber(new Decimal(s));
}

/** Canonical rendering: plain decimal, no exponent, trailing zeros dropped. */
export function renderNumber(d: Decimal): string {
  const s = d.toFixed();
  return s === '-0' ? '0' : s;
}

/**
 * Locale formatting: digit grouping with the env symbols, all decimals unless `places` >= 0 (then
 * fixed, rounded half away from zero).
 */
export function formatNumber(d: Decimal, fmt: NumberFormat, places = -1, group = true): string {
  let s = places >= 0 ? d.toFixed(places, Decimal.ROUND_HALF_UP) : renderNumber(d);
  let neg = false;
  if (s.startsWith('-')) {
    neg = true;
    s = s.slice(1);
  }
  let [intPart, frac] = s.split('.');
  if (group && fmt.digitGroupingSymbol) intPart = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, fmt.digitGroupingSymbol);
  let out = intPart;
  if (frac !== undefined && frac !== '') out += fmt.decimalSymbol + frac;
  if (neg && /[1-9]/.test(s)) out = '-' + out;
  return out;
}

/** Integer part when it fits in a safe JS integer, else null. */
export function toSafeInteger(d: Decimal): number | null {
  const t = d.trunc();
  if (t.abs().gt(Number.MAX_SAFE_INTEGER)) return null;
  return t.toNumber();
}
