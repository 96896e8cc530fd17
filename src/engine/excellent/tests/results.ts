// Tests over values and results: has_error, has_category, and the retired intent tests.
import { toXNumber, toXObject, toXText } from '../convert.ts';
import { def } from '../functions/registry.ts';
import { oneArg } from '../functions/args.ts';
import { XError } from '../values.ts';
import { falseResult, trueResult } from './result.ts';

oneArg('has_error', (_env, v) => (v instanceof XError ? trueResult(v.message) : falseResult()));

def('has_category', 2, Infinity, (_env, args) => {
  const result = toXObject(args[0]);
  if (result instanceof XError) return result;
  const categories: string[] = [];
  for (const a of args.slice(1)) {
    const t = toXText(a);
    if (t instanceof XError) return t;
    categories.push(t);
  }
  if (!result.has('name') || !result.has('value')) return new XError('first argument must be a result');
  const category = toXText(result.get('category'));
  if (category instanceof XError) return category;
  return categories.includes(category) ? trueResult(category) : falseResult();
});

/** Classifier intents are no longer supported: these tests never match, after checking their arguments. */
function retiredIntentTest(name: string): void {
  def(name, 3, 3, (_env, [r, n, c]) => {
    const result = toXObject(r);
    if (result instanceof XError) return result;
    const intent = toXText(n);
    if (intent instanceof XError) return intent;
    const confidence = toXNumber(c);
    if (confidence instanceof XError) return confidence;
    return falseResult();
  });
}

retiredIntentTest('has_intent');
retiredIntentTest('has_top_intent');
