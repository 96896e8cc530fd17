// Seam to the Excellent module (src/engine/excellent/): every use of its API by the flow engine
// goes through this file.
import type { Environment } from '../environment.ts';
import {
  callFunction, Decimal, evaluateTemplate, evaluateTemplateValue, functionExists, render,
  toJSON, toXDateTime, toXNumber, toXText, toXValue, truthy, XArray, XDateTime, XError, XObject, type EvalError, type XValue,
} from '../excellent/index.ts';

/** A context value, or a thunk computing it on first read. */
export type XVal = XValue | (() => XValue);

interface Evaluated { errors: { expression: string; message: string }[]; warnings: string[] }

export type TemplateValue = XValue;
export type { XObject, XValue };

function adaptErrors(errors: readonly EvalError[]): Evaluated['errors'] {
  return errors.map((e) => ({ expression: e.expression, message: e.message }));
}

/** Evaluates a template to text (never throws); errors carry the failing expression's source. */
export function evaluateText(template: string, context: XObject, env: Environment, escape?: (s: string) => string): Evaluated & { output: string } {
  const r = evaluateTemplate(template, context, env, escape ? { escape } : undefined);
  return { output: r.output, errors: adaptErrors(r.errors), warnings: r.warnings };
}

/** Evaluates a template keeping the type of a lone expression. */
export function evaluateValue(template: string, context: XObject, env: Environment): Evaluated & { value: TemplateValue } {
  const r = evaluateTemplateValue(template, context, env);
  return { value: r.value, errors: adaptErrors(r.errors), warnings: r.warnings };
}

/** Calls a router test function by name (lowercase); returns its result value. */
export function callTest(name: string, env: Environment, args: TemplateValue[]): XValue {
  return callFunction(name, env, args);
}

export function testExists(name: string): boolean {
  return name.startsWith('has_') && functionExists(name);
}

/** Reads a test's result: error, or matched with its match text and extra. */
export function testOutcome(result: XValue, env: Environment): { error?: string; matched: boolean; match: string; extra?: unknown; extraNotObject?: boolean } {
  void env;
  if (result instanceof XError) return { error: result.message, matched: false, match: '' };
  if (!(result instanceof XObject) || !truthy(result)) return { matched: false, match: '' };
  const match = result.get('match');
  const extra = result.has('extra') ? result.get('extra') : null;
  const text = toXText(match);
  return {
    matched: true,
    match: text instanceof XError ? '' : text,
    extra: extra instanceof XObject ? toJSON(extra) : undefined,
    extraNotObject: extra !== null && !(extra instanceof XObject),
  };
}

/** A value as text, with the error message when it can't be converted. */
export function valueToText(value: TemplateValue, env: Environment): { text: string; error?: string } {
  void env;
  const t = toXText(value);
  return t instanceof XError ? { text: '', error: t.message } : { text: t };
}

/** How a random number renders in results (as Excellent renders numbers). */
export function renderRandom(r: number): string {
  return render(new Decimal(r));
}

/** The number a whole text reads as (field parsing), or null. */
export function parseNumber(text: string, env: Environment): number | string | null {
  void env;
  const n = toXNumber(text);
  if (n instanceof XError) return null;
  return n.toNumber();
}

/** A datetime read from text with the time of day filled from now (field parsing), as JSON text. */
export function parseDateTimeFilled(text: string, env: Environment): string | null {
  const dt = toXDateTime(env, text, true);
  return dt instanceof XError ? null : render(dt);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** An engine timestamp (RFC 3339, up to nanoseconds) as an Excellent datetime in its own offset. */
function datetimeFromISO(iso: string): XValue {
  const m = ISO.exec(iso);
  const millis = Date.parse(iso);
  if (!m || Number.isNaN(millis)) return iso;
  const subNanos = Number((m[1] ?? '').padEnd(9, '0').slice(3, 9));
  const zone = m[2] === 'Z' || /^[+-]00:00$/.test(m[2]) ? 'UTC' : `UTC${m[2]}`;
  return new XDateTime(millis, subNanos, zone);
}

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
  for (const k in props) {
    const v = props[k];
    if (typeof v === 'function') obj.setLazy(k, v as Thunk);
    else if (v instanceof Deprecated) {
      if (typeof v.value === 'function') obj.setLazy(k, v.value as Thunk, { deprecated: v.message });
      else obj.set(k, v.value as XValue, { deprecated: v.message });
    } else obj.set(k, v as XValue, NO_OPTS);
  }
  if (def !== undefined) obj.setDefault(def as XValue | Thunk);
  return obj;
}

const NO_OPTS = {};

/**
 * Marks a thunk as a lazy context value. Thunks are passed through a call rather than written as
 * object-literal properties because the TS loader names such functions at runtime (keepNames),
 * which is costly on this hot path.
 */
export function lazy(fn: () => XValue): () => XValue {
  return fn;
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
  render: (v: XVal): string => render(force(v)),
  toJSON: (v: XVal): unknown => toJSON(force(v)),
  force,
};
