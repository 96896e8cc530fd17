// Type conversion functions: text, boolean, number, date, datetime, time, array, object.
import { toXBoolean, toXDate, toXDateTime, toXNumber, toXText, toXTime } from '../convert.ts';
import { XArray, XError, XObject } from '../values.ts';
import { MAX_ARRAY_LENGTH, firstError, oneArg, tooManyItems } from './args.ts';
import { registerFunction } from './registry.ts';

oneArg('text', (_env, v) => toXText(v));
oneArg('boolean', (_env, v) => toXBoolean(v));
oneArg('number', (_env, v) => toXNumber(v));
oneArg('date', (env, v) => toXDate(env, v));
oneArg('datetime', (env, v) => toXDateTime(env, v));
oneArg('time', (env, v) => toXTime(env, v));

registerFunction('array', (_env, values) => {
  if (values.length > MAX_ARRAY_LENGTH) return tooManyItems();
  return firstError(values) ?? new XArray([...values]);
});

registerFunction('object', (_env, pairs) => {
  const err = firstError(pairs);
  if (err) return err;
  if (pairs.length % 2 !== 0) return new XError('requires an even number of arguments');
  const obj = new XObject();
  for (let i = 0; i < pairs.length; i += 2) {
    const key = toXText(pairs[i]);
    if (key instanceof XError) return key;
    obj.set(key, pairs[i + 1]);
  }
  return obj;
});
