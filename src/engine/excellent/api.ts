// Direct calls into the function registry (the flow engine's switch router calls tests this way).
import type { Environment } from '../environment.ts';
import { callValue } from './evaluator.ts';
import { lookupFunction } from './functions/registry.ts';
import './functions/all.ts';
import { XError, type XValue } from './values.ts';

/** The allowed `@identifier` top levels of a flow context. */
export const ROOT_CONTEXT_KEYS: readonly string[] = [
  'contact', 'fields', 'urns', 'results', 'locals', 'run', 'child', 'parent', 'input', 'trigger', 'resume', 'globals', 'webhook', 'node', 'ticket', 'legacy_extra',
];

/** Calls a function or router test by name; errors come back as XError (wrapped like in templates). */
export function callFunction(name: string, env: Environment, args: XValue[]): XValue {
  const fn = lookupFunction(name);
  if (!fn) return new XError(`no such function '${name}'`);
  try {
    return callValue(fn, env, args);
  } catch (e) {
    return new XError(e instanceof RangeError ? 'expression is too complex to evaluate' : String(e));
  }
}

export function functionExists(name: string): boolean {
  return lookupFunction(name) !== undefined;
}
