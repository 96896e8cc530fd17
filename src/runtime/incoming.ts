// What channel callbacks carry, stored (engine.md §5.5): incoming messages (contact found or created
// by URN, channel affinity, last_seen_on, stored handled in the inbox — archived for blocked
// contacts), status updates of outgoing messages, and channel events.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Channel, IncomingChannelEvent, IncomingEvent, IncomingMsgEvent, IncomingStatusEvent } from '../channels/types.ts';
import type { ChannelRoutesOptions } from '../channels/routes.ts';
import { afterError, findActiveChannel, findActiveChannelByAddress, STATUS_CODES, toChannel, type ChannelRow } from '../models/msgs.ts';
import { channelFingerprint, findActiveChannelWithWorkspace } from '../models/channels.ts';
import type { Workspace } from '../models/workspaces.ts';
import { bulkChangeStatus, type ContactRow } from '../models/contacts.ts';
import { PREPARE } from '../db/statements.ts';
import { normalizeURN } from '../engine/urns/index.ts';
import { toUrn } from '../models/urns.ts';
import { getOrCreateContactsByUrns, knownContactByUrn } from './urn-contacts.ts';
import { queueRetries } from './sender.ts';
import { messagingSink } from './messaging.ts';
import { loadResumeState, resumeStateColumns, toResumeState, type ResumeRow, type ResumeState } from './contacts.ts';
import { SessionConflictError } from './sessions.ts';
import { resumeSessionWithMessage, startFromMessage, startFromChannelEvent } from './runner.ts';
import { messageTriggersCached } from './assets.ts';
import { messageTriggerToFire, findChannelEventTrigger } from '../models/triggers.ts';
import type { JobQueue } from '../jobs/queue.ts';

/** The lookups and event sink the /c/ routes need (see channels/routes.ts). */
export function channelRouteHandlers(db: Kysely<DB>, jobs?: JobQueue): ChannelRoutesOptions {
  return {
    async lookupChannel(uuid: string) {
      const c = await findActiveChannel(db, uuid);
      return c ? toChannel(c) : null;
    },
    async lookupChannelByAddress(typeCode: string, address: string) {
      const c = await findActiveChannelByAddress(db, typeCode, address);
      return c ? toChannel(c) : null;
    },
    async onEvents(channel: Channel, events: IncomingEvent[]) {
      await storeChannelEvents(db, channel.uuid, events, jobs);
    },
  };
}

export async function storeChannelEvents(db: Kysely<DB>, channelUuid: string, events: IncomingEvent[], jobs?: JobQueue): Promise<void> {
  let cache = channelCache.get(db);
  if (!cache) channelCache.set(db, (cache = new Map()));
  const received: Received[] = [];
  const chats: ChatStarted[] = [];
  // The usual callback, one message from a contact we know, is stored by one statement, without a
  // transaction; anything else (a new contact, several events) by the general path below. That
  // statement also checks the channel and workspace this process kept from an earlier callback.
  const single = events.length === 1 && events[0].kind === 'msg' && !events[0].newUrn ? events[0] : null;
  let found = single ? cache.get(channelUuid) : undefined;
  let known = found && single ? await storeFromKnownContact(db, found, single) : undefined;
  if (!known?.current) {
    found = await findActiveChannelWithWorkspace(db, channelUuid);
    if (!found) {
      cache.delete(channelUuid);
      throw new Error(`no active channel ${channelUuid}`);
    }
    cache.delete(channelUuid);
    cache.set(channelUuid, found);
    while (cache.size > MAX_CACHED_CHANNELS) cache.delete(cache.keys().next().value!);
    known = single ? await storeFromKnownContact(db, found, single) : undefined;
  }
  const { channel: row, workspace: ws } = found!;
  if (known?.stored) {
    if (known.received) received.push(known.received);
  } else {
    await db.transaction().execute(async (tx) => {
      for (const e of events) {
        if (e.kind === 'msg') {
          const r = await receiveMessage(tx, ws, row, e);
          if (r) received.push(r);
        }
        else if (e.kind === 'status') await applyStatus(tx, row, e, jobs);
        else {
          const chat = await receiveChannelEvent(tx, ws, row, e);
          if (chat) chats.push(chat);
        }
      }
    });
  }
  // After the commit, and at most once a second: inside the transaction every concurrent receive on
  // the channel queued on this one row until commit (measured 4.6–16 ms of lock wait per request).
  await touchChannel(db, row.id);
  // handed to the runtime after the message is safely stored: a keyword trigger (or, when nothing
  // waits, a catch-all) starts its flow, else a waiting session resumes; otherwise it stays in the inbox
  for (const r of received) await handToRuntime(db, ws, row, r, jobs);
  for (const c of chats) await fireChannelEventTrigger(db, ws, row, c, jobs);
}

type ChannelWithWorkspace = NonNullable<Awaited<ReturnType<typeof findActiveChannelWithWorkspace>>>;
/** Channels (with their workspaces) kept per database handle; each use checks them (channelFingerprint). */
const channelCache = new WeakMap<Kysely<DB>, Map<string, ChannelWithWorkspace>>();
const MAX_CACHED_CHANNELS = 1000;

/** When this process last bumped each channel's last_seen, per database handle. */
const channelTouched = new WeakMap<Kysely<DB>, Map<number, number>>();

/** channels.last_seen moved at most once a second; a bump this process made within the second skips the statement. */
async function touchChannel(db: Kysely<DB>, channelId: number): Promise<void> {
  let touched = channelTouched.get(db);
  if (!touched) channelTouched.set(db, (touched = new Map()));
  const now = Date.now();
  if (now - (touched.get(channelId) ?? 0) < 1000) return;
  touched.set(channelId, now);
  await sql`UPDATE channels SET last_seen = clock_timestamp()
             WHERE id = ${channelId} AND (last_seen IS NULL OR last_seen < clock_timestamp() - interval '1 second')`.execute(db);
}

interface Received {
  id: number; contactId: number; event: IncomingMsgEvent; urn: string;
  /** The contact's resume state as the storing statement read it (after its own writes), when it did. */
  state?: ResumeState | null;
  /**
   * The flow the message was stored with: the flow its contact was waiting in, which it usually
   * resumes, so the usual reply needs no second write of its row. Corrected once handled.
   */
  storedFlowId?: number | null;
}

/** Runs of handToRuntime that found the contact's session moved on meanwhile (SessionConflictError) are done again. */
const HANDLING_ATTEMPTS = 3;

async function handToRuntime(db: Kysely<DB>, ws: Workspace, channel: ChannelRow, r: Received, jobs?: JobQueue): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await handOnce(db, ws, channel, attempt === 1 ? r : { ...r, state: undefined }, jobs);
    } catch (e) {
      // a timeout or another message resumed the session first: decide again on what is there now
      if (!(e instanceof SessionConflictError) || attempt >= HANDLING_ATTEMPTS) {
        // not handled by the flow it was stored with
        if (r.storedFlowId) await db.updateTable('msgs').set({ flow_id: null }).where('id', '=', r.id).execute();
        throw e;
      }
    }
  }
}

async function handOnce(db: Kysely<DB>, ws: Workspace, channel: ChannelRow, r: Received, jobs?: JobQueue): Promise<void> {
  const deps = { db, sink: messagingSink(jobs), jobs };
  // the waiting session read with everything resuming it needs, in one statement (unless the
  // statement that stored the message read it)
  const state = r.state !== undefined ? r.state : await loadResumeState(db, ws.id, r.contactId);
  const waiting = state?.waiting;
  const msg = {
    uuid: r.event.uuid, text: r.event.text, urn: r.urn, channel: { uuid: channel.uuid, name: channel.name },
    attachments: r.event.attachments, createdOn: r.event.receivedOn.toISOString(), externalId: r.event.externalId,
  };
  // a keyword trigger interrupts a waiting session unless its flow ignores triggers; a catch-all only fires when nothing waits
  const candidates = state ? await messageTriggersCached(db, ws.id, state.assetVersion) : undefined;
  const trigger = await messageTriggerToFire(db, ws.id, r.contactId, channel.id, r.event.text ?? '', waiting, candidates);
  const stored = r.storedFlowId ?? null;
  let flowId: number | null = null;
  if (trigger) {
    if (await startFromMessage(deps, ws, trigger.flowUuid, r.contactId, msg, trigger.keywordMatch)) flowId = trigger.flowId;
  } else if (waiting) {
    // the message gets its flow in the resume's statement, unless it was stored with it
    flowId = waiting.current_flow_id;
    await resumeSessionWithMessage(deps, ws, state!, msg, { msgId: r.id, flowId: flowId === stored ? null : flowId });
    return;
  }
  if (flowId !== stored) await db.updateTable('msgs').set({ flow_id: flowId }).where('id', '=', r.id).execute();
}

function normalizedUrn(ws: Workspace, channel: ChannelRow, rawUrn: string) {
  const normalized = normalizeURN(rawUrn, channel.country || ws.country || null);
  if (!normalized) throw new Error(`invalid URN ${rawUrn}`);
  return toUrn(normalized);
}

type UrnOwner = { contact: ContactRow; urnId: number; identity: string };

/**
 * A message from the URN's active owner stored as receiveMessage would, in one statement: the URN
 * pointed at this channel (written only when it changes), the contact seen (a stopped one active
 * again), the message stored (archived for a blocked contact). Undefined when nobody active owns
 * the URN, and then nothing was written.
 */
async function storeFromKnownContact(
  db: Kysely<DB>, { channel, workspace: ws, fingerprint }: ChannelWithWorkspace, e: IncomingMsgEvent,
): Promise<{ current: boolean; stored: boolean; received?: Received | null }> {
  const urn = normalizedUrn(ws, channel, e.urn);
  // text with NUL characters can match nothing (and PostgreSQL cannot even compare it)
  if (urn.identity.includes('\0')) return { current: false, stored: false };
  // nothing is written unless the channel and workspace are still as read (`current`);
  // one UPDATE of the contact row: a statement must not write the same row twice
  // it also reads what handing the message to the runtime needs (loadResumeState), as it leaves the contact
  const r = await sql<{ current: boolean; msg_id: number | null; msg_flow_id: number | null } & ResumeRow>`${sql.raw(PREPARE)}
    WITH v AS (
      SELECT EXISTS (SELECT 1 FROM channels ch JOIN orgs o ON o.id = ch.org_id
                      WHERE ch.id = ${channel.id} AND ch.is_active AND o.is_active AND ${channelFingerprint('ch', 'o')} = ${fingerprint}) AS current),
    owner AS (
      SELECT c.id, c.status, u.id AS urn_id FROM contact_urns u JOIN contacts c ON c.id = u.contact_id
       WHERE u.org_id = ${ws.id} AND u.identity = ${urn.identity} AND c.org_id = ${ws.id} AND c.is_active AND (SELECT current FROM v)),
    affinity AS (
      UPDATE contact_urns SET channel_id = ${channel.id} WHERE id = (SELECT urn_id FROM owner) AND channel_id IS DISTINCT FROM ${channel.id}::bigint),
    seen AS (
      UPDATE contacts SET last_seen_on = ${e.receivedOn}, modified_on = clock_timestamp(), status = CASE WHEN status = 'S' THEN 'A' ELSE status END
       WHERE id = (SELECT id FROM owner)
      RETURNING *),
    stored AS (
      INSERT INTO msgs (uuid, org_id, contact_id, contact_urn_id, channel_id, direction, status, visibility, msg_type, text, attachments,
                        quick_replies, external_id, created_on, modified_on, flow_id)
      SELECT ${e.uuid}::uuid, ${ws.id}::bigint, o.id, o.urn_id, ${channel.id}::bigint, 'I', 'H', CASE WHEN o.status = 'B' THEN 'A' ELSE 'V' END, 'T',
             ${e.text}::text, ${e.attachments}::text[], '[]'::jsonb, ${e.externalId}::text, ${e.receivedOn}::timestamptz, ${e.receivedOn}::timestamptz,
             CASE WHEN o.status <> 'B' THEN (SELECT current_flow_id FROM flow_sessions WHERE contact_id = o.id AND org_id = ${ws.id} AND status = 'W') END
        FROM owner o
      ON CONFLICT (uuid) DO NOTHING
      RETURNING id, flow_id)
    SELECT v.current, (SELECT id FROM stored) AS msg_id, (SELECT flow_id FROM stored) AS msg_flow_id,
           ${resumeStateColumns(ws.id, { urnId: sql`(SELECT urn_id FROM owner)`, channelUuid: channel.uuid })}
      FROM v LEFT JOIN seen c ON true
      LEFT JOIN flow_sessions w ON w.contact_id = c.id AND w.org_id = ${ws.id} AND w.status = 'W'`.execute(db);
  const row = r.rows[0];
  if (!row.current || row.id === null) return { current: row.current, stored: false };
  // a provider retrying a callback gives the same message again: stored once, handled once
  const received = row.msg_id !== null && row.status !== 'B'
    ? { id: row.msg_id, contactId: row.id, event: e, urn: urn.identity, state: toResumeState(row), storedFlowId: row.msg_flow_id }
    : null;
  return { current: true, stored: true, received };
}

/** The URN's owner (created when new), with the URN pointed at this channel (affinity). */
async function contactForUrn(tx: Transaction<DB>, ws: Workspace, channel: ChannelRow, rawUrn: string, name?: string): Promise<UrnOwner> {
  const urn = normalizedUrn(ws, channel, rawUrn);
  const known = await knownContactByUrn(tx, ws.id, urn.identity, channel.id);
  if (known) return { ...known, identity: urn.identity };
  const [{ contact }] = await getOrCreateContactsByUrns(tx, ws, [urn], { name: name || null });
  const u = await tx.updateTable('contact_urns').set({ channel_id: channel.id }).where('org_id', '=', ws.id).where('identity', '=', urn.identity)
    .returning(['id']).executeTakeFirstOrThrow();
  return { contact, urnId: u.id, identity: urn.identity };
}

async function receiveMessage(tx: Transaction<DB>, ws: Workspace, channel: ChannelRow, e: IncomingMsgEvent): Promise<Received | null> {
  const owner = await contactForUrn(tx, ws, channel, e.urn, e.contactName);
  if (e.newUrn) {
    const extra = normalizeURN(e.newUrn, null);
    if (extra) {
      const u = toUrn(extra);
      await sql`INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, display, priority, channel_id)
        VALUES (${ws.id}, ${owner.contact.id}, ${u.scheme}, ${u.path}, ${u.identity}, ${u.display}, 1, ${channel.id})
        ON CONFLICT (org_id, identity) DO UPDATE SET contact_id = EXCLUDED.contact_id WHERE contact_urns.contact_id IS NULL`.execute(tx);
    }
  }
  return storeMessage(tx, ws, channel, e, owner);
}

/** The message stored for its contact, whose last_seen_on it sets in the same statement. */
async function storeMessage(db: Kysely<DB>, ws: Workspace, channel: ChannelRow, e: IncomingMsgEvent, { contact, urnId, identity }: UrnOwner): Promise<Received | null> {
  // a stopped contact wrote to us: active again; blocked contacts' messages are archived
  if (contact.status === 'S') await db.updateTable('contacts').set({ status: 'A' }).where('id', '=', contact.id).execute();
  // the contact is updated even when the message is a provider's retry (stored already): as before
  const r = await sql<{ id: number }>`${sql.raw(PREPARE)}
    WITH seen AS (UPDATE contacts SET last_seen_on = ${e.receivedOn}, modified_on = clock_timestamp() WHERE id = ${contact.id})
    INSERT INTO msgs (uuid, org_id, contact_id, contact_urn_id, channel_id, direction, status, visibility, msg_type, text, attachments,
                      quick_replies, external_id, created_on, modified_on)
    VALUES (${e.uuid}, ${ws.id}, ${contact.id}, ${urnId}, ${channel.id}, 'I', 'H', ${contact.status === 'B' ? 'A' : 'V'}, 'T', ${e.text}, ${e.attachments}::text[],
            '[]', ${e.externalId}, ${e.receivedOn}, ${e.receivedOn})
    ON CONFLICT (uuid) DO NOTHING
    RETURNING id`.execute(db);
  const stored = r.rows[0];
  // a provider retrying a callback gives the same message again: stored once, handled once
  return stored && contact.status !== 'B' ? { id: stored.id, contactId: contact.id, event: e, urn: identity } : null;
}

/** Statuses only move forward (a late "sent" never overwrites "delivered"); failures always apply. */
const RANK: Record<string, number> = { I: 0, Q: 1, E: 1, W: 2, S: 3, D: 4, R: 5, F: 6 };

async function applyStatus(tx: Transaction<DB>, channel: ChannelRow, e: IncomingStatusEvent, jobs?: JobQueue): Promise<void> {
  const code = STATUS_CODES[e.status];
  if (!code) return;
  let q = tx.selectFrom('msgs').select(['id', 'status', 'error_count']).where('org_id', '=', channel.org_id).where('channel_id', '=', channel.id).where('direction', '=', 'O');
  if (e.msgUuid) q = q.where('uuid', '=', e.msgUuid);
  else if (e.externalId) q = q.where('external_id', '=', e.externalId);
  else return;
  const msgs = await q.execute();
  for (const m of msgs) {
    if (m.status === 'F' || (code !== 'F' && code !== 'E' && (RANK[code] ?? 0) < (RANK[m.status] ?? 0))) continue;
    if (code === 'E') {
      await erroredByProvider(tx, channel, m.id, m.error_count + 1, jobs);
      continue;
    }
    await tx.updateTable('msgs').set({
      status: code, modified_on: sql`clock_timestamp()`,
      ...(['W', 'S', 'D', 'R'].includes(code) && { sent_on: sql`COALESCE(sent_on, clock_timestamp())` }),
    }).where('id', '=', m.id).execute();
  }
}

/** A provider reporting an error after accepting a message (Twilio 63018): as an errored send, retried with backoff or failed at the limit. */
async function erroredByProvider(tx: Transaction<DB>, channel: ChannelRow, msgId: number, errorCount: number, jobs?: JobQueue): Promise<void> {
  const next = afterError(errorCount);
  await tx.updateTable('msgs').set({
    status: next.status, error_count: errorCount, failed_reason: next.failedReason, modified_on: sql`clock_timestamp()`,
    next_attempt: next.status === 'E' ? sql`clock_timestamp() + ${next.delaySeconds} * interval '1 second'` : null,
  }).where('id', '=', msgId).execute();
  if (next.status === 'E') await queueRetries(jobs, tx, channel.org_id, channel.id, [{ id: msgId, errorCount }]);
}

const EVENT_TYPES: Record<string, string> = {
  new_conversation: 'new-conversation', stop_contact: 'stop-contact', referral: 'referral', welcome_message: 'welcome-message',
  optin: 'optin', optout: 'optout',
};

/** A new conversation or referral stored for a contact who is not blocked: it may fire a trigger once committed. */
interface ChatStarted { contactId: number; uuid: string; occurredOn: Date; params: Record<string, string> }

async function receiveChannelEvent(tx: Transaction<DB>, ws: Workspace, channel: ChannelRow, e: IncomingChannelEvent): Promise<ChatStarted | null> {
  const { contact, urnId } = await contactForUrn(tx, ws, channel, e.urn, e.contactName);
  const uuid = randomUUID();
  await tx.insertInto('channel_events').values({
    uuid, org_id: ws.id, channel_id: channel.id, contact_id: contact.id, contact_urn_id: urnId,
    event_type: EVENT_TYPES[e.eventType] ?? e.eventType, extra: JSON.stringify(e.extra ?? {}), occurred_on: e.occurredOn,
  }).execute();
  let chat: ChatStarted | null = null;
  if ((e.eventType === 'new_conversation' || e.eventType === 'referral') && contact.status !== 'B') {
    // as mailroom: a stopped contact starting a conversation is active again
    if (contact.status === 'S') await tx.updateTable('contacts').set({ status: 'A', modified_on: sql`clock_timestamp()` }).where('id', '=', contact.id).execute();
    const params = e.eventType === 'referral' ? Object.fromEntries(Object.entries(e.extra ?? {}).filter(([, v]) => typeof v === 'string')) : {};
    chat = { contactId: contact.id, uuid, occurredOn: e.occurredOn, params };
  }
  // as a send answered "opted out" does (runtime/send-effects.ts): stopped, out of its groups
  if (e.eventType === 'stop_contact') await bulkChangeStatus(tx, ws.id, null, [contact.id], 'stopped');
  return chat;
}

/**
 * A stored new conversation or referral fires its trigger (mailroom's event_received handling): a
 * referral with params matches referral triggers on its referrer_id, one without params is a new
 * conversation; the flow starts with a `chat` trigger, interrupting any waiting session.
 */
async function fireChannelEventTrigger(db: Kysely<DB>, ws: Workspace, channel: ChannelRow, c: ChatStarted, jobs?: JobQueue): Promise<void> {
  const referral = Object.keys(c.params).length > 0;
  const trigger = await findChannelEventTrigger(db, ws.id, channel.id, referral ? 'R' : 'N', c.params.referrer_id ?? '');
  if (!trigger) return;
  const event = {
    type: 'chat_started', uuid: c.uuid, created_on: c.occurredOn.toISOString(), channel: { uuid: channel.uuid, name: channel.name },
    ...(referral && { params: c.params }),
  };
  await startFromChannelEvent({ db, sink: messagingSink(jobs), jobs }, ws, trigger.flowUuid, c.contactId, event);
}
