import type { Ref } from './assets.ts';
import type { Flow, Node } from './definition/flow.ts';
import { ErrorCodes, errorFields, type EventLogger } from './core/events.ts';
import { saveResult, truncate, truncateEllipsis, type Result, type Results } from './core/results.ts';
import { evaluateText, evaluateValue, X, type TemplateValue, type XObject } from './expressions.ts';
import type { Session } from './session.ts';
import { buildRootContext } from './context/root.ts';

export type RunStatus = 'active' | 'waiting' | 'completed' | 'expired' | 'interrupted' | 'failed';

export interface Step { node_uuid: string; arrived_on: string }

/** What @webhook holds: the last webhook call of this run. */
export interface WebhookCall {
  method: string; url: string; status: number; headers: Record<string, string> | null;
  /** The response body when it is JSON, kept as text so its size can be checked. */
  jsonRaw: string | null;
}

const PERSIST_WEBHOOK_BYTES_LIMIT = 10_000;

/** One run of one flow inside a session. */
export class Run {
  locals: Record<string, string> = {};
  results: Results = {};
  path: Step[] = [];
  hadInput = false;
  webhook: WebhookCall | null = null;
  exitedOn: string | null = null;

  constructor(
    readonly session: Session,
    readonly uuid: string,
    readonly flow: Flow | null,
    readonly flowRef: Ref,
    readonly parent: Run | null,
    public status: RunStatus,
    readonly createdOn: string,
    public modifiedOn: string,
  ) {}

  static create(session: Session, flow: Flow, parent: Run | null): Run {
    const now = session.now();
    return new Run(session, session.newUUID(), flow, flow.runRef, parent, 'active', now, now);
  }

  get contact() { return this.session.contact; }

  setStatus(status: RunStatus): void {
    this.status = status;
    this.modifiedOn = this.session.now();
  }

  exit(status: RunStatus): void {
    const now = this.session.now();
    this.status = status;
    this.exitedOn = now;
    this.modifiedOn = now;
  }

  recordInput(): void {
    if (!this.hadInput) this.modifiedOn = this.session.now();
    this.hadInput = true;
  }

  createStep(node: Node): Step {
    const now = this.session.now();
    const step = { node_uuid: node.uuid, arrived_on: now };
    this.path.push(step);
    this.modifiedOn = now;
    return step;
  }

  /** The node of the last step, if it still exists. */
  location(): { step: Step; node: Node } | null {
    const step = this.path[this.path.length - 1];
    const node = step && this.flow?.node(step.node_uuid);
    return step && node ? { step, node } : null;
  }

  saveResult(
    name: string, value: string, category: string, categoryLocalized: string, nodeUUID: string,
    input: string, extra: unknown, log: EventLogger, extraText?: string,
  ): void {
    const result: Result = {
      name, value: truncate(value, this.session.options.maxResultChars), category, node_uuid: nodeUUID,
      created_on: this.session.now(),
    };
    if (!category) delete result.category;
    if (categoryLocalized) result.category_localized = categoryLocalized;
    if (input) result.input = input;
    if (extra !== undefined && extra !== null) result.extra = extra;
    // keep the extra's original text in memory (not serialised): @legacy_extra shows it verbatim
    if (extraText) Object.defineProperty(result, 'extraText', { value: extraText, enumerable: false });
    this.modifiedOn = this.session.now();
    const { changed, previous } = saveResult(this.results, result);
    if (changed) {
      const fields: Record<string, unknown> = { name, value: result.value, category };
      if (result.extra !== undefined) fields.extra = result.extra;
      if (previous) fields.previous = { value: previous.value, category: previous.category ?? '' };
      log('run_result_changed', fields);
    }
  }

  // ---- localization ----

  /** Languages to try for translations: contact's (if allowed), environment default, flow's own. */
  languages(): string[] {
    const langs: string[] = [];
    const contactLang = this.session.mergedEnv().defaultLanguage;
    if (contactLang) langs.push(contactLang);
    const defaultLang = this.session.envDefaultLanguage();
    if (defaultLang && defaultLang !== contactLang) langs.push(defaultLang);
    langs.push(this.flow!.language);
    return langs;
  }

  /** Localized values of an item's property, and the language they came from. */
  textArray(itemUUID: string, property: string, native: string[], languages?: string[]): [string[], string] {
    const flow = this.flow!;
    for (const lang of languages ?? this.languages()) {
      if (lang === flow.language) return [native, lang];
      const t = flow.translation(lang, itemUUID, property);
      if (t) return [t, lang];
    }
    return [native, flow.language];
  }

  text(itemUUID: string, property: string, native: string): [string, string] {
    const [values, lang] = this.textArray(itemUUID, property, [native]);
    return [values[0] ?? '', lang];
  }

  // ---- expressions ----

  private sharing = 0;
  private sharedContext: XObject | null = null;

  /** The root expression context (@contact, @results, ...) as seen from this run. */
  context(): XObject {
    if (this.sharing && this.sharedContext) return this.sharedContext;
    const ctx = X.force(buildRootContext(this, this.session.mergedEnv())) as XObject;
    if (this.sharing) this.sharedContext = ctx;
    return ctx;
  }

  /**
   * Runs `fn` with one context shared by all its evaluations (built on first use). Only for code
   * that changes no state between evaluations, e.g. a message's text, attachments and quick replies.
   */
  withSharedContext<T>(fn: () => T): T {
    this.sharing++;
    try {
      return fn();
    } finally {
      if (--this.sharing === 0) this.sharedContext = null;
    }
  }

  /** Evaluates a template to text, logging expression errors and deprecation warnings. */
  evaluate(template: string, log: EventLogger, opts: { escape?: (s: string) => string; truncate?: boolean } = {}): [string, boolean] {
    if (!template.includes('@')) return [template, true];
    const env = this.session.mergedEnv();
    const r = evaluateText(template, this.context(), env, opts.escape);
    this.logEvaluation(r.errors, r.warnings, log);
    const out = opts.truncate === false ? r.output : truncateEllipsis(r.output, this.session.options.maxTemplateChars);
    return [out, r.errors.length === 0];
  }

  /** Evaluates a template keeping the type of a lone expression. */
  evaluateValue(template: string, log: EventLogger): [TemplateValue, boolean] {
    if (!template.includes('@')) return [template, true];
    const env = this.session.mergedEnv();
    const r = evaluateValue(template, this.context(), env);
    this.logEvaluation(r.errors, r.warnings, log);
    return [r.value, r.errors.length === 0];
  }

  private logEvaluation(errors: { expression: string; message: string }[], warnings: string[], log: EventLogger) {
    for (const e of errors) {
      const code = /too complex/i.test(e.message) ? ErrorCodes.expressionTooComplex : ErrorCodes.expression;
      log('error', errorFields(`Error evaluating expression: ${e.message}`, code, { expression: e.expression }));
    }
    for (const w of warnings) log('warning', { text: w, code: 'context:deprecated' });
  }

  /** Ancestor runs, nearest first. */
  ancestors(): Run[] {
    const out: Run[] = [];
    for (let r = this.parent; r; r = r.parent) out.push(r);
    return out;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { uuid: this.uuid, flow: this.flowRef };
    if (this.path.length) out.path = this.path;
    if (Object.keys(this.locals).length) out.locals = this.locals;
    if (Object.keys(this.results).length) out.results = this.results;
    out.status = this.status;
    if (this.hadInput) out.had_input = true;
    if (this.parent) out.parent_uuid = this.parent.uuid;
    if (this.webhook && (this.webhook.jsonRaw?.length ?? 0) <= PERSIST_WEBHOOK_BYTES_LIMIT) out.webhook = this.webhookJSON();
    out.created_on = this.createdOn;
    out.modified_on = this.modifiedOn;
    out.exited_on = this.exitedOn;
    return out;
  }

  /** @webhook in goflow's JSON shape (null when no call was made). */
  webhookJSON(): Record<string, unknown> | null {
    const w = this.webhook;
    return w ? { method: w.method, url: w.url, status: w.status, headers: w.headers, json: w.jsonRaw ? JSON.parse(w.jsonRaw) : null } : null;
  }

  /** Drops what finished runs no longer need (goflow's Compact). */
  compact(): void {
    if (this.status !== 'active' && this.status !== 'waiting') {
      this.path = [];
      this.locals = {};
      this.webhook = null;
    }
  }
}
