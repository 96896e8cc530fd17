import type { Environment } from '../environment.ts';
import { readAssets, SessionAssets } from './assets.ts';
import { Contact } from './core/contact.ts';
import type { FlowEvent, Segment } from './core/events.ts';
import { formatTime } from './core/time.ts';
import { uuidV4Generator } from './core/uuids.ts';
import { resumeSession, startSession } from './execution.ts';
import { readInput } from './input.ts';
import { DEFAULT_OPTIONS, type EngineOptions } from './options.ts';
import { readResume } from './resumes.ts';
import { applyModifier } from './modifiers/apply.ts';
import { readModifier } from './modifiers/read.ts';
import { Run, type RunStatus } from './run.ts';
import type { EngineServices } from './services.ts';
import { defaultUUIDs, Session, type Call, type SessionStatus } from './session.ts';
import { Sprint } from './sprint.ts';
import { readTrigger } from './triggers.ts';

/** What a start or resume returns: the session (object and JSON), its contact and the sprint's output. */
export interface SprintResult {
  session: Session;
  contact: Contact;
  events: FlowEvent[];
  segments: Segment[];
  sprintUUID: string;
  /** Flows entered or resumed during the sprint. */
  flows: { uuid: string; name: string }[];
}

type AssetsInput = SessionAssets | unknown;
type ContactInput = Contact | unknown;

export interface Engine {
  readonly options: EngineOptions;
  readonly services: EngineServices;
  /** Starts a new session for the contact from a trigger. */
  start(assets: AssetsInput, env: Environment, contact: ContactInput, trigger: unknown, call?: Call | null): Promise<SprintResult>;
  /** Resumes a waiting session (its JSON as returned by `session.toJSON()`). */
  resume(sessionJSON: unknown, assets: AssetsInput, env: Environment, contact: ContactInput, resume: unknown, call?: Call | null): Promise<SprintResult>;
  /**
   * Applies contact modifiers outside any flow (API contact updates, ticket changes): returns the
   * events in order; smart groups are re-evaluated after each change.
   */
  modifyContact(assets: AssetsInput, env: Environment, contact: ContactInput, modifiers: unknown[]): { contact: Contact; events: FlowEvent[] };
  /** Reads a stored session back so it can be inspected or resumed. */
  readSession(sessionJSON: unknown, assets: AssetsInput, env: Environment, contact: ContactInput, call?: Call | null): Session;
}

const toAssets = (a: AssetsInput) => (a instanceof SessionAssets ? a : readAssets(a));
const toContact = (c: ContactInput, assets: SessionAssets) => (c instanceof Contact ? c : Contact.read(c, assets));

export function newEngine(services: EngineServices = {}, options: Partial<EngineOptions> = {}): Engine {
  const opts: EngineOptions = { ...DEFAULT_OPTIONS, ...options };
  const core = { options: opts, services };
  const uuids = (env: Environment) => opts.newUUID ?? defaultUUIDs(env);
  const sprintUUID = (env: Environment) => (opts.newTimelessUUID ?? uuidV4Generator(() => env.random()))();

  const readSession = (json: unknown, assetsIn: AssetsInput, env: Environment, contactIn: ContactInput, call: Call | null = null) => {
    const assets = toAssets(assetsIn);
    const contact = toContact(contactIn, assets);
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, any>;
    if (j.contact_uuid && j.contact_uuid !== contact.uuid) throw new Error("session contact doesn't match provided");
    const session = new Session(core, assets, env, contact, j.uuid, j.type, j.created_on, readTrigger(j.trigger), call, uuids(env));
    session.status = j.status as SessionStatus;
    session.sprints = j.sprints ?? 0;
    if (j.input) session.input = readInput(j.input, assets);
    const byUUID = new Map<string, Run>();
    for (const r of (j.runs ?? []) as Record<string, any>[]) {
      const flow = assets.flow(r.flow.uuid);
      const parent = r.parent_uuid ? byUUID.get(r.parent_uuid) ?? null : null;
      const run = new Run(session, r.uuid, flow instanceof Error ? null : flow, r.flow, parent, r.status as RunStatus, r.created_on, r.modified_on);
      // copies of what runs mutate, so the caller's JSON is never changed
      run.path = [...(r.path ?? [])];
      run.locals = { ...r.locals };
      run.results = { ...r.results };
      run.hadInput = r.had_input === true;
      run.exitedOn = r.exited_on ?? null;
      if (r.webhook) {
        const w = r.webhook;
        run.webhook = { method: w.method, url: w.url, status: w.status, headers: w.headers ?? null, jsonRaw: w.json === null || w.json === undefined ? null : JSON.stringify(w.json) };
      }
      session.runs.push(run);
      byUUID.set(run.uuid, run);
    }
    return session;
  };

  const result = (session: Session, sprint: Sprint): SprintResult => ({
    session, contact: session.contact, sprintUUID: sprint.uuid, events: sprint.events, segments: sprint.segments, flows: sprint.flows,
  });

  return {
    options: opts,
    services,
    async start(assetsIn, env, contactIn, triggerJSON, call = null) {
      const assets = toAssets(assetsIn);
      const contact = toContact(contactIn, assets);
      const trigger = readTrigger(triggerJSON);
      const flow = assets.flow(trigger.flow.uuid);
      if (flow instanceof Error) throw new Error(`unable to load flow[uuid=${trigger.flow.uuid},name=${trigger.flow.name}]: ${flow.message}`);
      if (flow.type === 'voice' && !call) throw new Error('unable to trigger voice flow without call');
      const newUUID = uuids(env);
      const uuid = newUUID();
      const createdOn = formatTime(env.now(), env.nowNanos?.() ?? 0);
      const session = new Session(core, assets, env, contact, uuid, flow.type, createdOn, trigger, call, newUUID);
      const sprint = new Sprint(sprintUUID(env), true);
      await startSession(session, sprint);
      return result(session, sprint);
    },
    async resume(sessionJSON, assetsIn, env, contactIn, resumeJSON, call = null) {
      const session = readSession(sessionJSON, assetsIn, env, contactIn, call);
      const sprint = new Sprint(sprintUUID(env), false);
      await resumeSession(session, sprint, readResume(resumeJSON));
      return result(session, sprint);
    },
    readSession,
    modifyContact(assetsIn, env, contactIn, modifiers) {
      const assets = toAssets(assetsIn);
      const contact = toContact(contactIn, assets);
      const newUUID = uuids(env);
      const events: FlowEvent[] = [];
      const log = (type: string, fields: Record<string, unknown> = {}) => {
        const event: FlowEvent = { uuid: newUUID(), type, created_on: formatTime(env.now(), env.nowNanos?.() ?? 0), ...fields };
        events.push(event);
        return event;
      };
      for (const json of modifiers) {
        applyModifier(contact, readModifier(json, assets, newUUID), { env, options: opts, services, log });
      }
      return { contact, events };
    },
  };
}
