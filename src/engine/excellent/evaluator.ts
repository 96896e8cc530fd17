// Walks an expression tree against a scope chain (context object → lambda arguments → functions).
// Every failure is an XError value; nothing here throws for bad input.
import type { Environment } from '../environment.ts';
import { exprToString, type Expr } from './ast.ts';
import { describe, toInteger, toXText } from './convert.ts';
import { DateRangeError } from './dates.ts';
import { lookupFunction } from './functions/registry.ts';
import { applyBinary, negate } from './operators.ts';
import { ERR_TOO_COMPLEX, XArray, XError, XFunction, XObject, type Prop, type XValue } from './values.ts';

/** Cost allowance per expression: text costs its length, other values 1 (RapidPro's budget). */
export const DEFAULT_BUDGET = 10_000_000;

/** Names visible to an expression: the context, lambda arguments, then the function registry. */
export interface Scope {
  /** `lname` is already lower-cased. */
  get(lname: string): Prop | undefined;
}

export class EvalState {
  private warned: string[] | null = null;
  remaining: number;
  constructor(budget = DEFAULT_BUDGET) {
    this.remaining = budget;
  }
  /** Deprecation warnings, each once. */
  get warnings(): string[] {
    return this.warned ?? [];
  }
  /** Starts the next expression of a template: a fresh budget and no warnings yet. */
  reset(budget = DEFAULT_BUDGET): void {
    this.remaining = budget;
    this.warned = null;
  }
  warn(msg: string): void {
    if (!this.warned) this.warned = [msg];
    else if (!this.warned.includes(msg)) this.warned.push(msg);
  }
  /** Charges the cost of a produced value; false once the budget is exhausted. */
  charge(v: XValue): boolean {
    this.remaining -= typeof v === 'string' ? Math.max(1, v.length) : 1;
    return this.remaining >= 0;
  }
}

const functionProps = new Map<string, Prop>();

function functionProp(lname: string): Prop | undefined {
  let p = functionProps.get(lname);
  if (!p) {
    const fn = lookupFunction(lname);
    if (!fn) return undefined;
    p = { key: lname, value: fn };
    functionProps.set(lname, p);
  }
  return p;
}

class ObjectScope implements Scope {
  constructor(private readonly obj: XObject, private readonly parent: Scope | null) {}
  get(lname: string): Prop | undefined {
    return this.obj.propLower(lname) ?? (this.parent ? this.parent.get(lname) : functionProp(lname));
  }
}

export function rootScope(context: XObject): Scope {
  return new ObjectScope(context, null);
}

export function evaluate(e: Expr, env: Environment, scope: Scope, st: EvalState): XValue {
  switch (e.k) {
    case 'text':
      return e.v;
    case 'num':
      return e.v;
    case 'bool':
      return e.v;
    case 'null':
      return null;
    case 'error':
      return new XError(e.message);
    case 'paren':
      return evaluate(e.x, env, scope, st);
    case 'ref': {
      const p = scope.get(e.lname);
      if (!p) return new XError(`context has no property '${e.name}'`);
      if (p.deprecated) st.warn(p.deprecated);
      return p.value ?? null;
    }
    case 'dot': {
      const obj = evaluate(e.obj, env, scope, st);
      if (obj instanceof XError) return obj;
      if (obj instanceof XObject) {
        const p = obj.propLower(e.lkey);
        if (!p) return new XError(`object has no property '${e.key}'`);
        if (p.deprecated) st.warn(p.deprecated);
        return p.value ?? null;
      }
      return lookup(obj, e.key, true, st);
    }
    case 'index': {
      const obj = evaluate(e.obj, env, scope, st);
      if (obj instanceof XError) return obj;
      const key = evaluate(e.index, env, scope, st);
      if (key instanceof XError) return key;
      return lookup(obj, key, false, st);
    }
    case 'call': {
      const fn = evaluate(e.fn, env, scope, st);
      if (fn instanceof XError) return fn;
      if (!(fn instanceof XFunction)) return new XError(`${exprToString(e.fn)} is not a function`);
      const args = e.args.map((a) => evaluate(a, env, scope, st));
      return callValue(fn, env, args, st);
    }
    case 'lambda':
      return lambda(e.params, e.body, scope, st);
    case 'neg':
      return negate(evaluate(e.x, env, scope, st));
    case 'bin': {
      const l = evaluate(e.l, env, scope, st);
      const r = evaluate(e.r, env, scope, st);
      if (l instanceof XError && l.fatal) return l;
      if (r instanceof XError && r.fatal) return r;
      const v = applyBinary(e.op, env, l, r);
      return st.charge(v) ? v : ERR_TOO_COMPLEX;
    }
  }
}

// The state of the evaluation in progress, so built-ins that call back into functions (foreach, filter)
// charge the same budget. Evaluation is synchronous, so one slot is enough.
let current: EvalState | null = null;

/** Evaluates a whole expression with its state installed for nested function calls. */
export function evaluateRoot(e: Expr, env: Environment, scope: Scope, st: EvalState): XValue {
  const saved = current;
  current = st;
  try {
    return evaluate(e, env, scope, st);
  } finally {
    current = saved;
  }
}

/** Calls a function value, wrapping its errors as RapidPro does: `error calling name(...): msg`. */
export function callValue(fn: XFunction, env: Environment, args: XValue[], st: EvalState | null = current): XValue {
  for (const a of args) if (a instanceof XError && a.fatal) return a;
  let v: XValue;
  try {
    v = fn.call(env, args);
  } catch (e) {
    if (!(e instanceof DateRangeError)) throw e;
    v = new XError(e.message);
  }
  if (v instanceof XError) return v.fatal ? v : new XError(`error calling ${describe(fn)}: ${v.message}`);
  if (st && !st.charge(v)) return ERR_TOO_COMPLEX;
  return v;
}

/** Lambda arguments shadow the enclosing scope. */
class LambdaScope implements Scope {
  constructor(private readonly names: string[], private readonly args: XValue[], private readonly parent: Scope) {}
  get(lname: string): Prop | undefined {
    const i = this.names.indexOf(lname);
    return i >= 0 ? { key: lname, value: this.args[i] } : this.parent.get(lname);
  }
}

function lambda(params: string[], body: Expr, scope: Scope, st: EvalState): XFunction {
  const names = params.map((p) => p.toLowerCase());
  return new XFunction('', (env, args) => {
    if (args.length !== params.length) return new XError(`need ${params.length} argument(s), got ${args.length}`);
    return evaluate(body, env, new LambdaScope(names, args, scope), st);
  });
}

export function lookup(container: XValue, key: XValue | string, dot: boolean, st: EvalState | null): XValue {
  let resolved: XValue;
  let deprecated: string | undefined;
  if (container instanceof XArray) {
    const index = toInteger(key);
    if (index instanceof XError) return index;
    const n = container.length;
    if (index >= n || index < -n) return new XError(`index ${index} out of range for ${n} items`);
    resolved = container.items[index < 0 ? index + n : index];
  } else if (container instanceof XObject) {
    const prop = toXText(key);
    if (prop instanceof XError) return prop;
    const r = container.lookup(prop);
    if (!r.found && dot) return new XError(`${describe(container)} has no property '${prop}'`);
    resolved = r.value;
    deprecated = r.deprecated;
  } else {
    return new XError(`${describe(container)} doesn't support lookups`);
  }
  if (deprecated && st) st.warn(deprecated);
  return resolved;
}
