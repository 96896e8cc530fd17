// Template evaluation: scanned and parsed templates are cached, so evaluating the same template again
// skips scanning and parsing entirely.
import type { Environment } from '../environment.ts';
import { parseExpression, SyntaxError } from './parser.ts';
import type { Expr } from './ast.ts';
import { scanTemplate } from './scanner.ts';
import { render } from './convert.ts';
import { EvalState, evaluateRoot, rootScope, type Scope } from './evaluator.ts';
import { XError, XObject, type XValue } from './values.ts';
import './functions/all.ts';
import { trimSpace } from './words.ts';

/** An expression that failed: `expression` is its source as written (`@(…)` or `@name`). */
export interface EvalError {
  expression: string;
  /** The bare message, e.g. `division by zero`. */
  message: string;
  /** RapidPro's full text: `error evaluating @(1 / 0): division by zero`. */
  text: string;
  /** The evaluation budget ran out (the engine's error code `expression:too_complex`). */
  tooComplex: boolean;
}

export interface TemplateResult {
  output: string;
  errors: EvalError[];
  warnings: string[];
}

export interface ValueResult {
  value: XValue;
  errors: EvalError[];
  warnings: string[];
}

type CompiledPart =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; repr: string; identifier: boolean; topLevel: string; source: string; parsed: Expr | null; syntaxError: string | null };

/** A template scanned and parsed once; evaluate it many times. */
export class CompiledTemplate {
  constructor(readonly source: string, readonly parts: CompiledPart[]) {}
}

// Two generations: when the young map fills, it becomes the old one and the previous old one is
// dropped; a hit in the old generation is promoted. Bounded memory, O(1) per lookup.
const CACHE_GENERATION = 5000;
let young = new Map<string, CompiledTemplate>();
let old = new Map<string, CompiledTemplate>();

function remember(template: string, c: CompiledTemplate): void {
  if (young.size >= CACHE_GENERATION) {
    old = young;
    young = new Map();
  }
  young.set(template, c);
}

// A template enters the cache on its second use, so one-off templates don't churn it.
let seenOnce = new Set<string>();

function admit(template: string, c: CompiledTemplate): void {
  if (seenOnce.delete(template)) {
    remember(template, c);
    return;
  }
  if (seenOnce.size >= CACHE_GENERATION) seenOnce = new Set();
  seenOnce.add(template);
}

function parseOnce(source: string): { parsed: Expr | null; syntaxError: string | null } {
  try {
    return { parsed: parseExpression(source), syntaxError: null };
  } catch (e) {
    if (e instanceof SyntaxError) return { parsed: null, syntaxError: e.message };
    if (e instanceof RangeError) return { parsed: null, syntaxError: 'expression nesting too deep' };
    throw e;
  }
}

export function compileTemplate(template: string): CompiledTemplate {
  let c = young.get(template);
  if (c) return c;
  c = old.get(template);
  if (c) {
    remember(template, c);
    return c;
  }
  const parts: CompiledPart[] = scanTemplate(template, null).map((p) => {
    if (p.kind === 'text') return p;
    const identifier = p.kind === 'identifier';
    const dot = p.source.indexOf('.');
    const topLevel = identifier ? (dot < 0 ? p.source : p.source.slice(0, dot)).toLowerCase() : '';
    return { kind: 'expr', repr: identifier ? '@' + p.source : `@(${p.source})`, identifier, topLevel, source: p.source, ...parseOnce(p.source) };
  });
  c = new CompiledTemplate(template, parts);
  admit(template, c);
  return c;
}

function faultError(e: unknown): XError {
  return new XError(e instanceof RangeError ? 'expression is too complex to evaluate' : `internal error: ${(e as Error)?.message ?? e}`);
}

function evalPart(part: Extract<CompiledPart, { kind: 'expr' }>, scope: Scope, env: Environment, st: EvalState): XValue {
  if (part.syntaxError !== null) return new XError(part.syntaxError);
  try {
    return evaluateRoot(part.parsed!, env, scope, st);
  } catch (e) {
    // a stack overflow or an unexpected fault (in a function or a lazy context value) must not escape
    return faultError(e);
  }
}

/** Text of a value; rendering can reach lazy context values, so faults become errors here too. */
function renderSafely(v: XValue): string | XError {
  try {
    return render(v);
  } catch (e) {
    return faultError(e);
  }
}

function isLiteralIdentifier(part: CompiledPart, context: XObject): boolean {
  return part.kind === 'expr' && part.identifier && !context.hasLower(part.topLevel);
}

function toEvalError(repr: string, err: XError): EvalError {
  return { expression: repr, message: err.message, text: `error evaluating ${repr}: ${err.message}`, tooComplex: err.fatal };
}

/** Renders a template; failing expressions contribute nothing and are reported. Never throws. */
export function evaluateTemplate(template: string, context: XObject, env: Environment, opts: { escape?: (s: string) => string } = {}): TemplateResult {
  if (!template) return { output: '', errors: [], warnings: [] };
  return evaluateCompiled(compileTemplate(template), context, env, opts);
}

/** Renders an already compiled template (parse once, evaluate many). Never throws. */
export function evaluateCompiled(compiled: CompiledTemplate, context: XObject, env: Environment, opts: { escape?: (s: string) => string } = {}): TemplateResult {
  const errors: EvalError[] = [];
  const warnings: string[] = [];
  let out = '';
  let scope: Scope | null = null;
  let st: EvalState | null = null;
  for (const part of compiled.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    if (isLiteralIdentifier(part, context)) {
      out += part.repr;
      continue;
    }
    // each expression gets its own budget and warning set
    if (st) st.reset();
    else st = new EvalState();
    scope ??= rootScope(context);
    const v = evalPart(part, scope, env, st);
    for (const w of st.warnings) warnings.push(w);
    if (v instanceof XError) {
      errors.push(toEvalError(part.repr, v));
      continue;
    }
    const text = renderSafely(v);
    if (text instanceof XError) {
      errors.push(toEvalError(part.repr, text));
      continue;
    }
    out += opts.escape ? opts.escape(text) : text;
  }
  return { output: out, errors, warnings };
}

/**
 * Typed value of a template that is exactly one `@identifier` or `@(...)` (after trimming), else the
 * rendered text. A failing single expression comes back as an XError value, not in `errors`.
 */
export function evaluateTemplateValue(template: string, context: XObject, env: Environment): ValueResult {
  const trimmed = trimSpace(template);
  const compiled = compileTemplate(trimmed);
  if (compiled.parts.length === 1) {
    const part = compiled.parts[0];
    if (part.kind === 'expr' && !isLiteralIdentifier(part, context)) {
      const st = new EvalState();
      const value = evalPart(part, rootScope(context), env, st);
      return { value, errors: [], warnings: st.warnings };
    }
  }
  const r = evaluateTemplate(trimmed, context, env);
  return { value: r.output, errors: r.errors, warnings: r.warnings };
}

/** Evaluates a bare expression such as `upper(contact.name)`. */
export function evaluateExpression(expression: string, context: XObject, env: Environment): ValueResult {
  const { parsed, syntaxError } = parseOnce(expression);
  if (syntaxError !== null) return { value: new XError(syntaxError), errors: [], warnings: [] };
  const st = new EvalState();
  let value: XValue;
  try {
    value = evaluateRoot(parsed!, env, rootScope(context), st);
  } catch (e) {
    value = faultError(e);
  }
  return { value, errors: [], warnings: st.warnings };
}
