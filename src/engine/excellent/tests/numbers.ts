// Number router tests: find the first number-like token satisfying a comparison.
import type { Environment, NumberFormat } from '../../environment.ts';
import { toXNumber, toXText } from '../convert.ts';
import type { Decimal } from '../decimal.ts';
import { parseStrictNumber } from '../numbers.ts';
import { XError, type XValue } from '../values.ts';
import { def } from '../functions/registry.ts';
import { falseResult, trueResult } from './result.ts';
import { trimSpace } from '../words.ts';

const patterns = new Map<string, RegExp>();

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');
}

function numberPattern(nf: NumberFormat): RegExp {
  const key = nf.digitGroupingSymbol + '\u0000' + nf.decimalSymbol;
  let re = patterns.get(key);
  if (!re) {
    const grp = escapeRegex(nf.digitGroupingSymbol);
    const dec = escapeRegex(nf.decimalSymbol);
    // Go's \W is ASCII-only: anything but [0-9A-Za-z_]
    re = new RegExp(`[-+]?([\\p{N}${grp}]+(${dec}[\\p{N}]+)?|([^0-9A-Za-z_]|^)${dec}[\\p{N}]+)`, 'gu');
    patterns.set(key, re);
  }
  return re;
}

const ALT_NUMERALS: Record<string, string> = {};
for (const base of [0x0660, 0x06f0, 0x09e6]) for (let d = 0; d < 10; d++) ALT_NUMERALS[String.fromCharCode(base + d)] = String(d);

/** RapidPro's lenient number read for router tests: grouping dropped, local decimal symbol and digits mapped. */
export function parseLocalNumber(value: string, nf: NumberFormat): Decimal | null {
  // an empty decimal symbol puts a `.` between every character in RapidPro, so nothing parses
  if (!nf.decimalSymbol) return null;
  let s = trimSpace(value);
  if (nf.digitGroupingSymbol) s = s.replaceAll(nf.digitGroupingSymbol, '');
  s = s.replaceAll(nf.decimalSymbol, '.');
  s = [...s].map((c) => ALT_NUMERALS[c] ?? c).join('');
  return parseStrictNumber(s);
}

function testNumber(env: Environment, text: string, test: (n: Decimal) => boolean): XValue {
  const re = numberPattern(env.numberFormat);
  for (const m of text.matchAll(re)) {
    const n = parseLocalNumber(m[0], env.numberFormat);
    if (n && test(n)) return trueResult(n);
  }
  return falseResult();
}

def('has_number', 1, 1, (env, [v]) => {
  const t = toXText(v);
  return t instanceof XError ? t : testNumber(env, t, () => true);
});

def('has_number_between', 3, 3, (env, [v, a, b]) => {
  const t = toXText(v);
  if (t instanceof XError) return t;
  const min = toXNumber(a);
  if (min instanceof XError) return min;
  const max = toXNumber(b);
  if (max instanceof XError) return max;
  return testNumber(env, t, (n) => n.gte(min) && n.lte(max));
});

function comparison(name: string, cmp: (n: Decimal, x: Decimal) => boolean): void {
  def(name, 2, 2, (env, [v, x]) => {
    const t = toXText(v);
    if (t instanceof XError) return t;
    const num = toXNumber(x);
    if (num instanceof XError) return num;
    return testNumber(env, t, (n) => cmp(n, num));
  });
}

comparison('has_number_lt', (n, x) => n.lt(x));
comparison('has_number_lte', (n, x) => n.lte(x));
comparison('has_number_eq', (n, x) => n.eq(x));
comparison('has_number_gte', (n, x) => n.gte(x));
comparison('has_number_gt', (n, x) => n.gt(x));
