import type { Environment } from '../environment.ts';
import type { SessionAssets } from './assets.ts';
import type { Contact } from './core/contact.ts';
import type { EventLogger, FlowEvent } from './core/events.ts';
import { compareTimes, formatTime } from './core/time.ts';
import { countryFromTel } from './core/urns.ts';
import { uuidV7Generator, type UUIDGenerator } from './core/uuids.ts';
import { defaultExpireAfterMinutes, type Flow, type FlowType } from './definition/flow.ts';
import type { MsgInput } from './input.ts';
import type { EngineOptions } from './options.ts';
import type { Resume } from './resumes.ts';
import type { Run } from './run.ts';
import type { EngineServices } from './services.ts';
import { Sprint } from './sprint.ts';
import type { Trigger } from './triggers.ts';

export type SessionStatus = 'active' | 'waiting' | 'completed' | 'failed' | 'interrupted' | 'expired';

/** The voice call a voice session runs on. */
export interface Call { uuid: string; channel: { uuid: string; name: string }; urn: string }

/** A run summary from another session (flow_action triggers), exposed as @parent. */
export type RunSummary = Record<string, any>;

interface PushedFlow { flow: Flow; terminal: boolean }

/** Everything a running session needs from its engine. */
export interface EngineCore {
  readonly options: EngineOptions;
  readonly services: EngineServices;
}

/** A session: the runs of one contact through one or more flows, started by a trigger. */
export class Session {
  runs: Run[] = [];
  status: SessionStatus = 'active';
  input: MsgInput | null = null;
  sprints = 0;
  currentResume: Resume | null = null;
  parentSummary: RunSummary | null = null;
  pushed: PushedFlow | null = null;
  readonly newUUID: UUIDGenerator;
  private mergedCache: { revision: number; env: Environment } | null = null;

  constructor(
    readonly engine: EngineCore,
    readonly assets: SessionAssets,
    readonly env: Environment,
    readonly contact: Contact,
    readonly uuid: string,
    readonly type: FlowType,
    readonly createdOn: string,
    readonly trigger: Trigger,
    readonly call: Call | null,
    newUUID: UUIDGenerator,
  ) {
    this.newUUID = newUUID;
  }

  get options() { return this.engine.options; }
  get services() { return this.engine.services; }
  get batchStart(): boolean { return this.trigger.batch === true; }

  now(): string { return formatTime(this.env.now(), this.env.nowNanos?.() ?? 0); }

  /** The time `seconds` from now (one clock read). */
  nowPlus(seconds: number): string {
    const now = this.env.now();
    return formatTime(new Date(now.getTime() + seconds * 1000), this.env.nowNanos?.() ?? 0);
  }

  /** Environment default language: the explicit default, else the first allowed language. */
  envDefaultLanguage(): string | undefined {
    return this.env.defaultLanguage || this.env.allowedLanguages?.[0] || undefined;
  }

  /**
   * The environment as seen for this contact (timezone, language and country overrides), recomputed
   * when a modifier changed the contact.
   */
  mergedEnv(): Environment {
    const c = this.contact;
    if (this.mergedCache?.revision === c.revision) return this.mergedCache.env;

    let country = c.route()?.channel.country || '';
    if (!country) {
      const tel = c.urns.find((u) => u.scheme === 'tel');
      if (tel) country = countryFromTel(tel.path);
    }
    const language = c.language && this.env.allowedLanguages?.includes(c.language) ? c.language : this.envDefaultLanguage();
    const env = Object.create(this.env) as Environment;
    Object.assign(env, { timezone: c.timezone || this.env.timezone, defaultLanguage: language, defaultCountry: country || this.env.defaultCountry });
    // location tests and prompt() read these from the environment
    if (this.assets.locations.length) env.locations = this.assets.locations[0];
    if (this.services.llmPrompts) env.llmPrompts = this.services.llmPrompts;
    this.mergedCache = { revision: c.revision, env };
    return env;
  }

  /** Event logger bound to a sprint. */
  logger(sprint: Sprint): EventLogger {
    return (type, fields = {}) => {
      // an event may come with its UUID already drawn (airtime transfers are known by it)
      const uuid = typeof fields.uuid === 'string' ? fields.uuid : this.newUUID();
      const event: FlowEvent = { uuid, type, created_on: this.now() };
      for (const k in fields) if (k !== 'uuid') event[k] = fields[k];
      sprint.events.push(event);
      return event;
    };
  }

  /** The run most recently modified (goflow's current run), whose context templates see. */
  currentRun(): Run | undefined {
    let last: Run | undefined;
    for (const r of this.runs) if (!last || compareTimes(r.modifiedOn, last.modifiedOn) > 0) last = r;
    return last;
  }

  waitingRun(): Run | undefined { return this.runs.find((r) => r.status === 'waiting'); }

  /** Most recently created child of a run. */
  currentChild(run: Run): Run | undefined {
    for (let i = this.runs.length - 1; i >= 0; i--) if (this.runs[i].parent === run) return this.runs[i];
    return undefined;
  }

  setInput(input: MsgInput | null): void {
    this.input = input;
    if (input) this.contact.lastSeenOn = input.created_on;
  }

  pushFlow(flow: Flow, terminal: boolean): void { this.pushed = { flow, terminal }; }

  /** Expiry of a flow, honouring the per-type default. */
  expireAfterMinutes(flow: Flow): number {
    return flow.expireAfterMinutes || defaultExpireAfterMinutes(flow.type);
  }

  compact(): void { for (const r of this.runs) r.compact(); }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      uuid: this.uuid, type: this.type, created_on: this.createdOn, trigger: this.trigger,
      contact_uuid: this.contact.uuid,
    };
    if (this.call) out.call_uuid = this.call.uuid;
    out.runs = this.runs.map((r) => r.toJSON());
    out.status = this.status;
    if (this.input) out.input = this.input;
    out.sprints = this.sprints;
    return out;
  }
}

export function defaultUUIDs(env: Environment): UUIDGenerator {
  return uuidV7Generator(() => env.now(), () => env.random());
}
