import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from '../models/workspaces.ts';
import { newEngine, readAssets, type EngineServices, type SessionAssets, type SprintResult } from '../engine/flows/index.ts';
import { workspaceEnvironment } from './environment.ts';
import { loadAssets } from './assets.ts';
import { loadEngineContacts } from './contacts.ts';
import { persistSprint, findWaitingSession } from './sessions.ts';
import { applyEvents, type MessageSink } from './events.ts';
import { bulkInterrupt } from '../models/contacts.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { scheduleWaitJobs } from './waits.ts';

/** What the runtime needs from the outside world. */
export interface RuntimeDeps {
  db: Kysely<DB>;
  /** Where flow messages go; null drops them (nothing can send yet). */
  sink: MessageSink | null;
  services?: EngineServices;
  clock?: () => Date;
  /** Schedules wait timeouts and expirations as jobs; without it nothing fires them. */
  jobs?: JobQueue;
}

/** Contacts of one start batch run at the same time (each in its own transactions). */
const START_CONCURRENCY = Number(process.env.RAPIDPRO_START_CONCURRENCY ?? 6);

const isoNow = (clock: () => Date) => clock().toISOString();

/** The assets of a workspace read once for a batch of contacts. */
export async function workspaceAssets(db: Kysely<DB>, ws: Workspace): Promise<SessionAssets> {
  return readAssets(await loadAssets(db, ws.id));
}

async function commitSprint(deps: RuntimeDeps, ws: Workspace, contactId: number, result: SprintResult, sessionId: number | null, startId: number | null = null): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const waiting = result.session.runs.find((r) => r.status === 'waiting' || r.status === 'active');
    const flowUuid = (waiting ?? result.session.runs[result.session.runs.length - 1])?.toJSON().flow as { uuid: string } | undefined;
    await applyEvents(tx, ws, contactId, result.events as any[], deps.sink, flowUuid?.uuid ?? null);
    const saved = await persistSprint(tx, ws.id, contactId, result, sessionId, startId);
    if (deps.jobs && saved.status === 'W') await scheduleWaitJobs(tx, deps.jobs, ws.id, contactId, saved.id, saved);
  });
}

export interface StartOptions {
  params?: Record<string, unknown>;
  /** Leave contacts that are already in a flow alone instead of interrupting them. */
  excludeActive?: boolean;
  /** The flow start these sessions belong to (their first runs record it). */
  startId?: number;
}

/**
 * Starts the flow for each contact (manual trigger): interrupts a waiting session unless told to
 * skip such contacts, runs the engine, and commits each contact's sprint in its own transaction.
 * Returns the ids of the contacts started.
 */
export async function startFlow(deps: RuntimeDeps, ws: Workspace, flowUuid: string, contactIds: number[], opts: StartOptions = {}): Promise<number[]> {
  const clock = deps.clock ?? (() => new Date());
  const assets = await workspaceAssets(deps.db, ws);
  const flow = assets.flow(flowUuid);
  if (flow instanceof Error || !flow) throw new Error(`no such flow ${flowUuid}`);
  const engine = newEngine(deps.services);
  const env = workspaceEnvironment(ws, clock);
  let ids = contactIds;
  if (opts.excludeActive && ids.length) {
    const busy = await deps.db.selectFrom('flow_sessions').select('contact_id').where('org_id', '=', ws.id).where('status', '=', 'W').where('contact_id', 'in', ids).execute();
    const skip = new Set(busy.map((b) => b.contact_id));
    ids = ids.filter((id) => !skip.has(id));
  }
  const contacts = await loadEngineContacts(deps.db, ws.id, ids);
  const startOne = async (id: number) => {
    const contact = contacts.get(id);
    if (!contact) return false;
    // as mailroom does, a new start interrupts whatever the contact was waiting in
    await deps.db.transaction().execute((tx) => bulkInterrupt(tx, ws.id, null, [id]));
    const trigger = { type: 'manual', flow: { uuid: flow.uuid, name: flow.name }, triggered_on: isoNow(clock), ...(opts.params ? { params: opts.params } : {}) };
    const result = await engine.start(assets, env, contact, trigger);
    await commitSprint(deps, ws, id, result, null, opts.startId ?? null);
    return true;
  };
  // contacts are independent: a few at a time keep the pool's connections busy
  const done = new Set<number>();
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, ids.length) }, async () => {
    while (next < ids.length) {
      const id = ids[next++];
      if (await startOne(id)) done.add(id);
    }
  }));
  return ids.filter((id) => done.has(id));
}

export interface IncomingMsg {
  uuid: string;
  text: string;
  urn: string;
  channel?: { uuid: string; name: string } | null;
  attachments?: string[];
  createdOn: string;
  externalId?: string | null;
}

/** Resumes the contact's waiting session with a message. Returns false when nothing was waiting. */
export async function resumeWithMessage(deps: RuntimeDeps, ws: Workspace, contactId: number, msg: IncomingMsg): Promise<boolean> {
  const waiting = await findWaitingSession(deps.db, ws.id, contactId);
  if (!waiting) return false;
  const clock = deps.clock ?? (() => new Date());
  return resume(deps, ws, contactId, waiting, { type: 'msg', event: msgReceived(msg), resumed_on: isoNow(clock) });
}

function msgReceived(msg: IncomingMsg) {
  return {
    type: 'msg_received', uuid: msg.uuid, created_on: msg.createdOn,
    msg: { uuid: msg.uuid, urn: msg.urn, text: msg.text, ...(msg.channel ? { channel: msg.channel } : {}), ...(msg.attachments?.length ? { attachments: msg.attachments } : {}), ...(msg.externalId ? { external_id: msg.externalId } : {}) },
  };
}

/**
 * Starts a flow from an incoming message (a keyword or catch-all trigger fired: engine trigger
 * type `msg`, with `keyword_match` for keywords), interrupting whatever the contact was waiting in.
 * Returns false when the flow or contact is gone.
 */
export async function startFromMessage(
  deps: RuntimeDeps, ws: Workspace, flowUuid: string, contactId: number, msg: IncomingMsg, keywordMatch?: { type: string; keyword: string },
): Promise<boolean> {
  const clock = deps.clock ?? (() => new Date());
  const assets = await workspaceAssets(deps.db, ws);
  const flow = assets.flow(flowUuid);
  if (flow instanceof Error || !flow) return false;
  const contact = (await loadEngineContacts(deps.db, ws.id, [contactId])).get(contactId);
  if (!contact) return false;
  await deps.db.transaction().execute((tx) => bulkInterrupt(tx, ws.id, null, [contactId]));
  const trigger = {
    type: 'msg', flow: { uuid: flow.uuid, name: flow.name }, triggered_on: isoNow(clock), event: msgReceived(msg),
    ...(keywordMatch ? { keyword_match: keywordMatch } : {}),
  };
  const result = await newEngine(deps.services).start(assets, workspaceEnvironment(ws, clock), contact, trigger);
  await commitSprint(deps, ws, contactId, result, null);
  return true;
}

/**
 * Starts a flow from a channel event that fired a trigger (engine trigger `chat` with a
 * chat_started event: a new conversation, or a referral carrying its params), interrupting whatever
 * the contact was waiting in. Returns false when the flow or contact is gone.
 */
export async function startFromChannelEvent(deps: RuntimeDeps, ws: Workspace, flowUuid: string, contactId: number, event: Record<string, unknown>): Promise<boolean> {
  const clock = deps.clock ?? (() => new Date());
  const assets = await workspaceAssets(deps.db, ws);
  const flow = assets.flow(flowUuid);
  if (flow instanceof Error || !flow) return false;
  const contact = (await loadEngineContacts(deps.db, ws.id, [contactId])).get(contactId);
  if (!contact) return false;
  await deps.db.transaction().execute((tx) => bulkInterrupt(tx, ws.id, null, [contactId]));
  const trigger = { type: 'chat', flow: { uuid: flow.uuid, name: flow.name }, triggered_on: isoNow(clock), event };
  const result = await newEngine(deps.services).start(assets, workspaceEnvironment(ws, clock), contact, trigger);
  await commitSprint(deps, ws, contactId, result, null);
  return true;
}

/** Resumes a waiting session whose timeout (kind 'timeout') or expiry (kind 'expiration') came due. */
export async function resumeWait(deps: RuntimeDeps, ws: Workspace, contactId: number, kind: 'timeout' | 'expiration'): Promise<boolean> {
  const waiting = await findWaitingSession(deps.db, ws.id, contactId);
  if (!waiting) return false;
  const clock = deps.clock ?? (() => new Date());
  const type = kind === 'timeout' ? 'wait_timeout' : 'wait_expiration';
  return resume(deps, ws, contactId, waiting, { type, resumed_on: isoNow(clock) });
}

async function resume(deps: RuntimeDeps, ws: Workspace, contactId: number, waiting: { id: number; output: unknown }, resumeJSON: unknown): Promise<boolean> {
  const clock = deps.clock ?? (() => new Date());
  const assets = await workspaceAssets(deps.db, ws);
  const contact = (await loadEngineContacts(deps.db, ws.id, [contactId])).get(contactId);
  if (!contact) return false;
  const engine = newEngine(deps.services);
  const result = await engine.resume(waiting.output, assets, workspaceEnvironment(ws, clock), contact, resumeJSON);
  await commitSprint(deps, ws, contactId, result, waiting.id);
  return true;
}
