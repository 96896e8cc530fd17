// Number functions: rounding, min/max/mean, mod, abs, and rand/rand_between from the env's source.
import { toXNumber } from '../convert.ts';
import { Decimal } from '../decimal.ts';
import { checkedNumber } from '../numbers.ts';
import { divide, modulo } from '../operators.ts';
import { XError, type XValue } from '../values.ts';
import { numberAndOptionalInteger, oneNumber, twoNumbers } from './args.ts';
import { def } from './registry.ts';

const OUT_OF_RANGE = () => new XError('number value out of range');

/** Go's shopspring Round: half away from zero; negative places round to tens, hundreds, ... */
function roundTo(n: Decimal, places: number, mode: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8): Decimal {
  const p = Math.max(-100, Math.min(100, places));
  if (p >= 0) return n.toDecimalPlaces(p, mode);
  const factor = new Decimal(10).pow(-p);
  return n.div(factor).toDecimalPlaces(0, mode).times(factor);
}

function checked(d: Decimal): XValue {
  return checkedNumber(d) ?? OUT_OF_RANGE();
}

numberAndOptionalInteger('round', 0, (_env, n, places) => checked(roundTo(n, places, Decimal.ROUND_HALF_UP)));
numberAndOptionalInteger('round_up', 0, (_env, n, places) => checked(roundTo(n, places, Decimal.ROUND_CEIL)));
numberAndOptionalInteger('round_down', 0, (_env, n, places) => checked(roundTo(n, places, Decimal.ROUND_FLOOR)));

function extreme(values: XValue[], better: (a: Decimal, b: Decimal) => boolean): XValue {
  let best: Decimal | null = null;
  for (const v of values) {
    const n = toXNumber(v);
    if (n instanceof XError) return n;
    if (best === null || better(n, best)) best = n;
  }
  return best;
}

def('max', 1, Infinity, (_env, values) => extreme(values, (a, b) => a.gt(b)));
def('min', 1, Infinity, (_env, values) => extreme(values, (a, b) => a.lt(b)));

def('mean', 1, Infinity, (_env, values) => {
  let sum = new Decimal(0);
  for (const v of values) {
    const n = toXNumber(v);
    if (n instanceof XError) return n;
    const s = checkedNumber(sum.plus(n));
    if (!s) return OUT_OF_RANGE();
    sum = s;
  }
  return divide(sum, new Decimal(values.length));
});

twoNumbers('mod', (_env, a, b) => modulo(a, b));
oneNumber('abs', (_env, n) => n.abs());

/** A random number in [0, 1) from the environment's source. */
export function randomNumber(env: { random(): number }): Decimal {
  return new Decimal(env.random());
}

def('rand', 0, 0, (env) => randomNumber(env));

twoNumbers('rand_between', (env, min, max) => {
  const span = checkedNumber(max.minus(min).plus(1));
  if (!span) return OUT_OF_RANGE();
  const v = checkedNumber(randomNumber(env).times(span).plus(min));
  if (!v) return OUT_OF_RANGE();
  return v.floor();
});
