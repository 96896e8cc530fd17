// Seam to the Excellent module (src/engine/excellent/): every use of its API by the flow engine
// goes through this file.
import type { Environment } from '../environment.ts';
import { Decimal, XArray, XObject, type XValue } from '../excellent/values.ts';

/** A context value, or a thunk computing it on first read. */
export type XVal = XValue | (() => XValue);
export type TemplateValue = unknown;

interface Evaluated { errors: { expression: string; message: string }[]; warnings: string[] }

export function evaluateText(template: string, context: XVal, env: Environment, escape?: (s: string) => string): Evaluated & { output: string } {
  throw new Error('excellent module not available');
}
export function evaluateValue(template: string, context: XVal, env: Environment): Evaluated & { value: TemplateValue } {
  throw new Error('excellent module not available');
}
export function callTest(name: string, env: Environment, args: TemplateValue[]): XVal { throw new Error('n/a'); }
export function testExists(name: string): boolean { return true; }
export function testOutcome(result: XVal, env: Environment): { error?: string; matched: boolean; match: string; extra?: unknown; extraNotObject?: boolean } { throw new Error('n/a'); }
export function valueToText(value: TemplateValue, env: Environment): { text: string; error?: string } { throw new Error('n/a'); }
export function renderRandom(r: number): string { return String(r); }
export function parseNumber(text: string, env: Environment): string | null { return null; }
export function parseDateTimeFilled(text: string, env: Environment): string | null { return null; }

/** A property value marked deprecated: reading it logs a `context:deprecated` warning. */
class Deprecated {
  constructor(readonly value: XVal | Thunk, readonly message: string) {}
}
/** A value computed on first read, so big context trees cost nothing until a template looks. */
type Thunk = () => XValue;
type Prop = XVal | Deprecated;

const force = (v: XVal): XValue => (typeof v === 'function' ? (v as Thunk)() : v);

function buildObject(props: Record<string, Prop>, def?: XVal | Thunk): XObject {
  const obj = new XObject();
  for (const [k, v] of Object.entries(props)) {
    if (v instanceof Deprecated) {
      if (typeof v.value === 'function') obj.setLazy(k, v.value as Thunk, { deprecated: v.message });
      else obj.set(k, v.value as XValue, { deprecated: v.message });
    } else if (typeof v === 'function') obj.setLazy(k, v as Thunk);
    else obj.set(k, v as XValue);
  }
  if (def !== undefined) obj.setDefault(def as XValue | Thunk);
  return obj;
}

/** Builders for context values (the flow engine never touches Excellent's classes elsewhere). */
export const X = {
  text: (s: string): XVal => s,
  number: (n: number | string): XVal => new Decimal(n),
  datetime: (iso: string): XVal => datetimeFromISO(iso),
  array: (items: (XVal | Thunk)[]): XVal => new XArray(items.map(force)),
  object: (props: Record<string, Prop>, def?: XVal | Thunk): XVal => buildObject(props, def),
  /** An object built on first read. */
  lazyObject: (fn: () => { props: Record<string, Prop>; default?: XVal | Thunk }): Thunk => () => {
    const { props, default: def } = fn();
    return buildObject(props, def);
  },
  json: (j: unknown): XVal => toXValue(j),
  deprecated: (v: XVal | Thunk, message: string): Deprecated => new Deprecated(v, message),
  render: (v: XVal | Thunk, env: Environment): string => renderText(force(v), env),
  toJSON: (v: XVal | Thunk, env: Environment): unknown => JSON.parse(toJSON(force(v), env)),
  force,
};
