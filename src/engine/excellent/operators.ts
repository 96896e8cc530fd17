// Operator semantics (§3.4): `&` and equality work on text renderings, the rest on numbers.
import type { Environment } from '../environment.ts';
import type { BinaryOp } from './ast.ts';
import { toXNumber, toXText } from './convert.ts';
import { Decimal } from './decimal.ts';
import { checkedNumber } from './numbers.ts';
import { XError, type XValue } from './values.ts';

const OUT_OF_RANGE = 'number value out of range';
const MAX_EXPONENT = new Decimal(100);

function checked(d: Decimal): XValue {
  return checkedNumber(d) ?? new XError(OUT_OF_RANGE);
}

/** Division to 16 decimal places, half away from zero (RapidPro's decimal division precision). */
export function divide(a: Decimal, b: Decimal): XValue {
  if (b.isZero()) return new XError('division by zero');
  return checked(a.div(b).toDecimalPlaces(16, Decimal.ROUND_HALF_UP));
}

export function modulo(a: Decimal, b: Decimal): XValue {
  if (b.isZero()) return new XError('division by zero');
  // Go's decimal Mod takes the sign of the dividend, like decimal.js's default modulo mode
  return checked(a.mod(b));
}

export function power(a: Decimal, b: Decimal): XValue {
  if (b.abs().gt(MAX_EXPONENT)) return new XError(OUT_OF_RANGE);
  if (a.isZero() && b.isNeg()) return new XError('division by zero');
  const r = b.isInteger() ? a.pow(b) : a.pow(b).toDecimalPlaces(16, Decimal.ROUND_HALF_UP);
  return checked(r);
}

export function applyBinary(op: BinaryOp, env: Environment, l: XValue, r: XValue): XValue {
  if (op === '&' || op === '=' || op === '!=') {
    const a = toXText(l);
    if (a instanceof XError) return a;
    const b = toXText(r);
    if (b instanceof XError) return b;
    if (op === '&') return a + b;
    return op === '=' ? a === b : a !== b;
  }
  const a = toXNumber(l);
  if (a instanceof XError) return a;
  const b = toXNumber(r);
  if (b instanceof XError) return b;
  switch (op) {
    case '+':
      return checked(a.plus(b));
    case '-':
      return checked(a.minus(b));
    case '*':
      return checked(a.times(b));
    case '/':
      return divide(a, b);
    case '^':
      return power(a, b);
    case '<':
      return a.lt(b);
    case '<=':
      return a.lte(b);
    case '>':
      return a.gt(b);
    case '>=':
      return a.gte(b);
  }
}

export function negate(v: XValue): XValue {
  const n = toXNumber(v);
  if (n instanceof XError) return n;
  return n.isZero() ? new Decimal(0) : n.neg();
}
