// Date and time router tests: has_date, has_date_lt/eq/gt (calendar dates in the env zone), has_time.
import type { Environment } from '../../environment.ts';
import { toXDateTime, toXText, toXTime } from '../convert.ts';
import { dateOf, inZone } from '../dates.ts';
import { def } from '../functions/registry.ts';
import { oneText } from '../functions/args.ts';
import { XDate, XDateTime, XError, type XValue } from '../values.ts';
import { falseResult, trueResult } from './result.ts';

function cmpDates(a: XDate, b: XDate): number {
  return Math.sign(a.year - b.year || a.month - b.month || a.day - b.day);
}

function testDate(env: Environment, text: string, against: XDateTime | null, ok: (c: number) => boolean): XValue {
  const value = toXDateTime(env, text, true);
  if (value instanceof XError) return falseResult();
  if (against === null) return trueResult(value);
  const c = cmpDates(dateOf(inZone(value, env.timezone)), dateOf(inZone(against, env.timezone)));
  return ok(c) ? trueResult(value) : falseResult();
}

oneText('has_date', (env, text) => testDate(env, text, null, () => true));

function comparison(name: string, ok: (c: number) => boolean): void {
  def(name, 2, 2, (env, [v, d]) => {
    const t = toXText(v);
    if (t instanceof XError) return t;
    const dt = toXDateTime(env, d);
    if (dt instanceof XError) return dt;
    return testDate(env, t, dt, ok);
  });
}

comparison('has_date_lt', (c) => c < 0);
comparison('has_date_eq', (c) => c === 0);
comparison('has_date_gt', (c) => c > 0);

oneText('has_time', (env, text) => {
  const t = toXTime(env, text);
  return t instanceof XError ? falseResult() : trueResult(t);
});
