// Utility functions: is_error, default, legacy_add, read_chars.
import { toXDateTime, toXNumber, toXText } from '../convert.ts';
import { checkedNumber } from '../numbers.ts';
import { XError } from '../values.ts';
import { oneArg, oneText } from './args.ts';
import { def } from './registry.ts';
import { addDate } from './datetime.ts';

oneArg('is_error', (_env, v) => v instanceof XError);

def('default', 2, 2, (_env, [v, fallback]) => {
  const t = toXText(v);
  if (t instanceof XError || t === '') return fallback;
  return v;
});

def('legacy_add', 2, 2, (env, [a, b]) => {
  const d1 = toXDateTime(env, a);
  const d2 = toXDateTime(env, b);
  const n1 = toXNumber(a);
  const n2 = toXNumber(b);
  const days = (n: typeof n1) => {
    if (n instanceof XError) return null;
    const i = n.trunc();
    return i.abs().gt(2147483647) ? null : i.toNumber();
  };
  if (!(d1 instanceof XError) && !(d2 instanceof XError)) return new XError('cannot operate on two dates');
  if (!(d1 instanceof XError) && !(n2 instanceof XError)) {
    const n = days(n2);
    return n === null ? new XError('cannot operate on integers greater than 32 bit') : addDate(d1, 0, 0, n);
  }
  if (!(d2 instanceof XError) && !(n1 instanceof XError)) {
    const n = days(n1);
    return n === null ? new XError('cannot operate on integers greater than 32 bit') : addDate(d2, 0, 0, n);
  }
  if (n1 instanceof XError) return n1;
  if (n2 instanceof XError) return n2;
  return checkedNumber(n1.plus(n2)) ?? new XError('number value out of range');
});

oneText('read_chars', (_env, s) => {
  const cps = [...s.replace(/^\++/, '')];
  const groupBy = cps.length % 3 === 0 ? 3 : cps.length % 4 === 0 ? 4 : 0;
  if (groupBy === 0) return cps.join(' , ');
  const groups: string[] = [];
  for (let i = 0; i < cps.length; i += groupBy) groups.push(cps.slice(i, i + groupBy).join(' '));
  return groups.join(' , ');
});
