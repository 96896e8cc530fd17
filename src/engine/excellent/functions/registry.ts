// The function registry: built-in functions and router tests share one case-insensitive namespace.
import type { Environment } from '../../environment.ts';
import { XError, XFunction, type XValue } from '../values.ts';

export type FunctionImpl = (env: Environment, args: XValue[]) => XValue;

const registry = new Map<string, XFunction>();

export function registerFunction(name: string, impl: FunctionImpl): void {
  registry.set(name, new XFunction(name, impl));
}

export function lookupFunction(name: string): XFunction | undefined {
  return registry.get(name.toLowerCase());
}

export function functionNames(): string[] {
  return [...registry.keys()].sort();
}

function plural(n: number): string {
  return `${n} argument(s)`;
}

/** Wraps an implementation with RapidPro's arity check and messages. */
export function arity(min: number, max: number, impl: FunctionImpl): FunctionImpl {
  return (env, args) => {
    if (args.length < min || args.length > max) {
      if (min === max) return new XError(`need ${plural(min)}, got ${args.length}`);
      if (max === Infinity) return new XError(`need at least ${plural(min)}, got ${args.length}`);
      return new XError(`need ${min} to ${max} argument(s), got ${args.length}`);
    }
    return impl(env, args);
  };
}

/** Registers with an arity check: `def('upper', 1, 1, fn)`. */
export function def(name: string, min: number, max: number, impl: FunctionImpl): void {
  registerFunction(name, arity(min, max, impl));
}
