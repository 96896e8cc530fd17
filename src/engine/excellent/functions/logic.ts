// Logic functions: and, or, if (all arguments are evaluated before the call).
import { toXBoolean } from '../convert.ts';
import { XError } from '../values.ts';
import { def } from './registry.ts';

def('and', 1, Infinity, (_env, values) => {
  for (const v of values) {
    const b = toXBoolean(v);
    if (b instanceof XError) return b;
    if (!b) return false;
  }
  return true;
});

def('or', 1, Infinity, (_env, values) => {
  for (const v of values) {
    const b = toXBoolean(v);
    if (b instanceof XError) return b;
    if (b) return true;
  }
  return false;
});

def('if', 3, 3, (_env, [test, a, b]) => {
  const t = toXBoolean(test);
  if (t instanceof XError) return t;
  return t ? a : b;
});
