import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from '../models/workspaces.ts';
import { newEngine, type EngineServices, type SprintResult } from '../engine/flows/index.ts';
import { workspaceEnvironment } from './environment.ts';
import { workspaceAssetsCached, type WorkspaceAssets } from './assets.ts';
import { loadResumeState, loadRuntimeContacts, type ResumeState, type RuntimeContact } from './contacts.ts';
import { persistSprints, type SprintToPersist } from './sessions.ts';
import { applySprintEvents, onlyMessageWrites, type FlowMessages, type MessageSink } from './events.ts';
import { bulkInterrupt } from '../models/contacts.ts';
import type { JobQueue } from '../jobs/queue.ts';

/** What the runtime needs from the outside world. */
export interface RuntimeDeps {
  db: Kysely<DB>;
  /** Where flow messages go; null drops them (nothing can send yet). */
  sink: MessageSink | null;
  services?: EngineServices;
  clock?: () => Date;
  /** The job queue (message sends; its workers also fire due wait timeouts and expirations, runtime/waits.ts). */
  jobs?: JobQueue;
}

/**
 * A start batch's contacts are run and written in groups of this many: one transaction and a few
 * multi-row statements per group.
 */
const START_GROUP_SIZE = Number(process.env.RAPIDPRO_START_GROUP_SIZE ?? 250);
/** Groups in flight at once, so the engine runs the next group while the database writes one. */
const START_CONCURRENCY = Number(process.env.RAPIDPRO_START_CONCURRENCY ?? 2);

const isoNow = (clock: () => Date) => clock().toISOString();

export interface HandledInput { msgId: number; flowId: number | null }

interface Sprint {
  contactId: number;
  result: SprintResult;
  sessionId: number | null;
  startId?: number | null;
  contact?: RuntimeContact;
  /** The stored incoming message the sprint handled, and the flow to record on it. */
  input?: HandledInput;
  /** The version of the wait a resumed session was in (ResumeState). */
  waitVersion?: string | null;
}

const sessionFlowUuid = (result: SprintResult): string | null => {
  const runs = result.session.runs;
  const waiting = runs.find((r) => r.status === 'waiting' || r.status === 'active');
  return (waiting ?? runs[runs.length - 1])?.flowRef.uuid ?? null;
};

/**
 * Writes sprints in one transaction: their contact changes and messages, sessions and runs (with
 * when their waits time out and expire, which is all that schedules those: runtime/waits.ts) and,
 * for a flow start, the interruption of the contacts' earlier sessions. A resumed session that
 * moved on meanwhile rolls it all back (SessionConflictError).
 */
async function commitSprints(deps: RuntimeDeps, ws: Workspace, wa: WorkspaceAssets, sprints: Sprint[], interrupt = false): Promise<void> {
  if (!sprints.length) return;
  // the engine's messages carry no UUID: given here, so that the session can name the message whose
  // sending restarts its wait's timeout (sessions.ts) before the database has stored it
  for (const s of sprints) for (const e of s.result.events as any[]) if (e.type === 'msg_created' && e.msg && !e.msg.uuid) e.msg.uuid = randomUUID();
  if (!interrupt && sprints.length === 1 && sprints[0].sessionId !== null && (await commitResumeAlone(deps, ws, wa, sprints[0]))) return;
  await deps.db.transaction().execute(async (tx) => {
    if (interrupt) await bulkInterrupt(tx, ws.id, null, sprints.map((s) => s.contactId));
    await applySprintEvents(tx, ws, sprints.map(messagesOf), deps.sink, wa);
    await persistSprints(tx, ws.id, sprints.map((s) => toPersist(s, interrupt)), wa.flowIds);
  });
}

const messagesOf = (s: Sprint): FlowMessages => ({ contactId: s.contactId, events: s.result.events as any[], flowUuid: sessionFlowUuid(s.result), urnIds: s.contact?.urnIds });

const toPersist = (s: Sprint, interrupt: boolean): SprintToPersist => ({
  contactId: s.contactId, result: s.result, sessionId: s.sessionId, startId: s.startId ?? null,
  // after an interruption the contact's flow is whatever this sprint left, always written
  currentFlowId: interrupt ? undefined : s.contact?.currentFlowId,
  input: s.input, waitVersion: s.waitVersion,
});

/**
 * The usual reply: a resumed sprint whose only writes are its session, runs and messages is stored
 * by one statement (session, runs, the contact's flow, the input's flow, the messages and their
 * send jobs), which needs no transaction. False when the sprint needs more (commitSprints does it).
 */
async function commitResumeAlone(deps: RuntimeDeps, ws: Workspace, wa: WorkspaceAssets, s: Sprint): Promise<boolean> {
  const events = s.result.events as any[];
  if (!onlyMessageWrites(events)) return false;
  let messages: ReturnType<NonNullable<MessageSink['flowMessagesSql']>> = null;
  if (deps.sink && events.some((e) => e.type === 'msg_created')) {
    messages = deps.sink.flowMessagesSql?.(ws, [messagesOf(s)], wa) ?? null;
    if (!messages) return false;
  }
  await persistSprints(deps.db, ws.id, [toPersist(s, false)], wa.flowIds, { also: messages?.sql });
  messages?.written();
  return true;
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
 * skip such contacts, and runs the engine. Contacts are written in groups, each group's sprints
 * and interruptions in one transaction. Returns the ids of the contacts started.
 */
export async function startFlow(deps: RuntimeDeps, ws: Workspace, flowUuid: string, contactIds: number[], opts: StartOptions = {}): Promise<number[]> {
  const clock = deps.clock ?? (() => new Date());
  const wa = await workspaceAssetsCached(deps.db, ws.id);
  const flow = wa.assets.flow(flowUuid);
  if (flow instanceof Error || !flow) throw new Error(`no such flow ${flowUuid}`);
  const engine = newEngine(deps.services);
  const env = workspaceEnvironment(ws, clock);
  let ids = contactIds;
  if (opts.excludeActive && ids.length) {
    const busy = await deps.db.selectFrom('flow_sessions').select('contact_id').where('org_id', '=', ws.id).where('status', '=', 'W').where('contact_id', 'in', ids).execute();
    const skip = new Set(busy.map((b) => b.contact_id));
    ids = ids.filter((id) => !skip.has(id));
  }
  const contacts = await loadRuntimeContacts(deps.db, ws.id, ids);
  const found = ids.filter((id) => contacts.has(id));
  const groups: number[][] = [];
  for (let i = 0; i < found.length; i += START_GROUP_SIZE) groups.push(found.slice(i, i + START_GROUP_SIZE));
  const runGroup = async (group: number[]) => {
    const sprints: Sprint[] = [];
    for (const id of group) {
      const contact = contacts.get(id)!;
      const trigger = { type: 'manual', flow: { uuid: flow.uuid, name: flow.name }, triggered_on: isoNow(clock), ...(opts.params ? { params: opts.params } : {}) };
      // as mailroom does, a new start interrupts whatever the contact was waiting in (in commitSprints)
      const result = await engine.start(wa.assets, env, contact.json, trigger);
      sprints.push({ contactId: id, result, sessionId: null, startId: opts.startId ?? null, contact });
    }
    await commitSprints(deps, ws, wa, sprints, true);
  };
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, groups.length) }, async () => {
    while (next < groups.length) await runGroup(groups[next++]);
  }));
  return found;
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
  const state = await loadResumeState(deps.db, ws.id, contactId);
  if (!state?.waiting) return false;
  return resumeSessionWithMessage(deps, ws, state, msg);
}

/**
 * resumeWithMessage with what the caller already read (loadResumeState: the incoming path reads
 * it to choose between triggers and resuming). `input`: the stored incoming message gets its flow
 * in the resume's transaction.
 */
export async function resumeSessionWithMessage(deps: RuntimeDeps, ws: Workspace, state: ResumeState, msg: IncomingMsg, input?: HandledInput): Promise<boolean> {
  if (!state.waiting) return false;
  const clock = deps.clock ?? (() => new Date());
  return resume(deps, ws, state, { type: 'msg', event: msgReceived(msg), resumed_on: isoNow(clock) }, input);
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
  return startFromTrigger(deps, ws, flowUuid, contactId, (clock) => ({
    type: 'msg', triggered_on: isoNow(clock), event: msgReceived(msg), ...(keywordMatch ? { keyword_match: keywordMatch } : {}),
  }));
}

/**
 * Starts a flow from a channel event that fired a trigger (engine trigger `chat` with a
 * chat_started event: a new conversation, or a referral carrying its params), interrupting whatever
 * the contact was waiting in. Returns false when the flow or contact is gone.
 */
export async function startFromChannelEvent(deps: RuntimeDeps, ws: Workspace, flowUuid: string, contactId: number, event: Record<string, unknown>): Promise<boolean> {
  return startFromTrigger(deps, ws, flowUuid, contactId, (clock) => ({ type: 'chat', triggered_on: isoNow(clock), event }));
}

/** One contact started in a flow by an engine trigger (its flow reference is added here). */
async function startFromTrigger(
  deps: RuntimeDeps, ws: Workspace, flowUuid: string, contactId: number, makeTrigger: (clock: () => Date) => Record<string, unknown>,
): Promise<boolean> {
  const clock = deps.clock ?? (() => new Date());
  const wa = await workspaceAssetsCached(deps.db, ws.id);
  const flow = wa.assets.flow(flowUuid);
  if (flow instanceof Error || !flow) return false;
  const contact = (await loadRuntimeContacts(deps.db, ws.id, [contactId])).get(contactId);
  if (!contact) return false;
  const made = makeTrigger(clock);
  // the engine's trigger JSON keeps `type` then `flow` first, as before
  const trigger = { type: made.type, flow: { uuid: flow.uuid, name: flow.name }, ...made };
  const result = await newEngine(deps.services).start(wa.assets, workspaceEnvironment(ws, clock), contact.json, trigger);
  await commitSprints(deps, ws, wa, [{ contactId, result, sessionId: null, contact }], true);
  return true;
}

/**
 * Resumes a waiting session whose timeout (kind 'timeout') or expiry (kind 'expiration') came due.
 * With `expected`, only that session in that wait (runtime/waits.ts): false when it has moved on.
 */
export async function resumeWait(
  deps: RuntimeDeps, ws: Workspace, contactId: number, kind: 'timeout' | 'expiration', expected?: { sessionId: number; version: string },
): Promise<boolean> {
  const state = await loadResumeState(deps.db, ws.id, contactId);
  if (!state?.waiting) return false;
  if (expected && (state.waiting.id !== expected.sessionId || state.waiting.version !== expected.version)) return false;
  const clock = deps.clock ?? (() => new Date());
  const type = kind === 'timeout' ? 'wait_timeout' : 'wait_expiration';
  return resume(deps, ws, state, { type, resumed_on: isoNow(clock) });
}

async function resume(deps: RuntimeDeps, ws: Workspace, state: ResumeState, resumeJSON: unknown, input?: HandledInput): Promise<boolean> {
  const clock = deps.clock ?? (() => new Date());
  const { contact, waiting } = state;
  const contactId = contact.json.id as number;
  const wa = await workspaceAssetsCached(deps.db, ws.id, state.assetVersion);
  const engine = newEngine(deps.services);
  const result = await engine.resume(waiting!.output, wa.assets, workspaceEnvironment(ws, clock), contact.json, resumeJSON);
  await commitSprints(deps, ws, wa, [{ contactId, result, sessionId: waiting!.id, contact, input, waitVersion: waiting!.version }]);
  return true;
}
