// Excellent's typed values. Text, boolean, null and number are JS primitives / Decimal so the hot path
// allocates little; the other types are small classes told apart with instanceof.
import type { Environment } from '../environment.ts';
import { Decimal } from './decimal.ts';

export { Decimal };

/** A calendar date without zone. */
export class XDate {
  constructor(readonly year: number, readonly month: number, readonly day: number) {}
}

/** A time of day with nanosecond precision (Go's time carries nanoseconds). */
export class XTime {
  constructor(readonly hour: number, readonly minute: number, readonly second: number, readonly nanos: number) {}
  get isZero(): boolean {
    return this.hour === 0 && this.minute === 0 && this.second === 0 && this.nanos === 0;
  }
}

/**
 * An instant in a zone. `millis` is epoch milliseconds, `subNanos` the nanoseconds beyond them
 * (0–999999), `zone` an IANA name, `UTC`, or a fixed offset written `UTC±hh:mm`.
 */
export class XDateTime {
  constructor(readonly millis: number, readonly subNanos: number, readonly zone: string) {}
}

/** An error value: evaluation failures travel as values and are rendered as errors, never thrown. */
export class XError {
  /** Fatal errors (evaluation budget exhausted) abort the whole expression and are never wrapped. */
  constructor(readonly message: string, readonly fatal = false) {}
}

export const ERR_TOO_COMPLEX = new XError('expression is too complex to evaluate', true);

export class XArray {
  constructor(readonly items: XValue[]) {}
  get length(): number {
    return this.items.length;
  }
}

/** A callable value: built-in functions and lambdas. */
export class XFunction {
  constructor(readonly name: string, readonly call: (env: Environment, args: XValue[]) => XValue) {}
}


type Lazy<T> = () => T;

const DEFAULT_KEY = '__default__';

export interface Prop {
  key: string;
  value?: XValue;
  lazy?: Lazy<XValue>;
  /** Warning text produced when the property is read, e.g. `@contact.id is deprecated, use ...`. */
  deprecated?: string;
}

/**
 * An object with case-insensitive properties, an optional hidden default (used when the object is
 * rendered, compared or converted), and optional lazy property getters so big context trees are
 * built only where templates look.
 */
export class XObject {
  private readonly props = new Map<string, Prop>();
  private defaultValue?: XValue;
  private defaultLazy?: Lazy<XValue>;
  private hasDefaultValue = false;

  constructor(props?: Record<string, XValue | undefined>, defaultValue?: XValue) {
    if (props) for (const [k, v] of Object.entries(props)) if (v !== undefined) this.set(k, v);
    if (defaultValue !== undefined) this.setDefault(defaultValue);
  }

  /** Sets a property; the key `__default__` sets the hidden default instead, as in RapidPro. */
  set(key: string, value: XValue, opts: { deprecated?: string } = {}): this {
    if (key === DEFAULT_KEY) return this.setDefault(value);
    this.props.set(key.toLowerCase(), { key, value, deprecated: opts.deprecated });
    return this;
  }

  /** A property computed on first read (then cached). */
  setLazy(key: string, get: Lazy<XValue>, opts: { deprecated?: string } = {}): this {
    if (key === DEFAULT_KEY) return this.setDefault(get);
    this.props.set(key.toLowerCase(), { key, lazy: get, deprecated: opts.deprecated });
    return this;
  }

  setDefault(value: XValue | Lazy<XValue>): this {
    this.hasDefaultValue = true;
    if (typeof value === 'function') this.defaultLazy = value as Lazy<XValue>;
    else this.defaultValue = value;
    return this;
  }

  get hasDefault(): boolean {
    return this.hasDefaultValue;
  }

  getDefault(): XValue {
    if (this.defaultLazy) {
      this.defaultValue = this.defaultLazy();
      this.defaultLazy = undefined;
    }
    return this.defaultValue ?? null;
  }

  has(key: string): boolean {
    return this.props.has(key.toLowerCase());
  }

  /** Whether an already lower-cased key exists, without computing a lazy value. */
  hasLower(lowerKey: string): boolean {
    return this.props.has(lowerKey);
  }

  /**
   * The property record for an already lower-cased key, its lazy value resolved, or undefined. The
   * evaluator calls this with keys lower-cased at parse time, so lookups allocate nothing.
   */
  propLower(lowerKey: string): Prop | undefined {
    const p = this.props.get(lowerKey);
    if (p && p.lazy) {
      p.value = p.lazy();
      p.lazy = undefined;
    }
    return p;
  }

  /** Property lookup; `found` false when absent. `deprecated` carries the warning text, if any. */
  lookup(key: string): { found: boolean; value: XValue; deprecated?: string } {
    const p = this.propLower(key.toLowerCase());
    if (!p) return { found: false, value: null };
    return { found: true, value: p.value ?? null, deprecated: p.deprecated };
  }

  get(key: string): XValue {
    return this.propLower(key.toLowerCase())?.value ?? null;
  }

  /** Property names in their original case, insertion order. */
  keys(): string[] {
    return [...this.props.values()].map((p) => p.key);
  }

  get count(): number {
    return this.props.size;
  }
}

export type XValue = string | boolean | null | Decimal | XDate | XDateTime | XTime | XArray | XObject | XFunction | XError;

export const isText = (v: XValue): v is string => typeof v === 'string';
export const isNumber = (v: XValue): v is Decimal => v instanceof Decimal;
export const isBoolean = (v: XValue): v is boolean => typeof v === 'boolean';
export const isError = (v: XValue): v is XError => v instanceof XError;
export const isArray = (v: XValue): v is XArray => v instanceof XArray;
export const isObject = (v: XValue): v is XObject => v instanceof XObject;
export const isFunction = (v: XValue): v is XFunction => v instanceof XFunction;
export const isDateTime = (v: XValue): v is XDateTime => v instanceof XDateTime;
export const isDate = (v: XValue): v is XDate => v instanceof XDate;
export const isTime = (v: XValue): v is XTime => v instanceof XTime;

export const xText = (s: string): XValue => s;
export const xNumber = (n: number | string | Decimal): Decimal => new Decimal(n);
export const xBool = (b: boolean): XValue => b;
export const xArray = (items: XValue[]): XArray => new XArray(items);
export const xObject = (props: Record<string, XValue>, def?: XValue): XObject => new XObject(props, def);
export const xError = (message: string): XError => new XError(message);

/** Type name as goflow describes values in messages (`text`, `number`, ...). */
export function typeName(v: XValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'boolean') return 'boolean';
  if (v instanceof Decimal) return 'number';
  if (v instanceof XDateTime) return 'datetime';
  if (v instanceof XDate) return 'date';
  if (v instanceof XTime) return 'time';
  if (v instanceof XArray) return 'array';
  if (v instanceof XObject) return 'object';
  if (v instanceof XFunction) return 'function';
  return 'error';
}
