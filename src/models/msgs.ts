import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { routeOf } from '../channels/selection.ts';
import type { Channel } from '../channels/types.ts';

/**
 * The message aggregate: incoming and outgoing messages, their labels and visibility, routing to a
 * channel, bulk creation for broadcasts (one INSERT ... SELECT FROM unnest per batch) and status
 * changes. Every function takes the workspace id.
 */

type Db = Kysely<DB> | Transaction<DB>;

export const STATUS_NAMES: Record<string, string> = {
  P: 'queued', I: 'queued', Q: 'queued', H: 'handled', W: 'wired', S: 'sent', D: 'delivered', R: 'read', E: 'errored', F: 'failed',
};
export const STATUS_CODES: Record<string, string> = { wired: 'W', sent: 'S', delivered: 'D', read: 'R', errored: 'E', failed: 'F' };
export const VISIBILITY_NAMES: Record<string, string> = { V: 'visible', A: 'archived', D: 'deleted', X: 'deleted' };
export const TYPE_NAMES: Record<string, string> = { T: 'text', O: 'optin', V: 'voice' };

/** Errors before a message fails for good (mailroom's limit), and the retry backoff. */
export const MAX_SEND_ERRORS = 3;
export function retryDelaySeconds(errorCount: number): number {
  const base = Number(process.env.RAPIDPRO_RETRY_BASE_SECONDS ?? 5);
  return base * 2 ** Math.max(0, errorCount - 1);
}

/**
 * A message that has now had `errorCount` errors (a send errored, or a status callback said so):
 * errored, to be retried after the backoff, or failed for good (reason E) at the limit.
 */
export function afterError(errorCount: number): { status: 'E' | 'F'; failedReason: 'E' | null; delaySeconds: number } {
  if (errorCount >= MAX_SEND_ERRORS) return { status: 'F', failedReason: 'E', delaySeconds: 0 };
  return { status: 'E', failedReason: null, delaySeconds: retryDelaySeconds(errorCount) };
}

export interface QuickReplyValue {
  type: string;
  text?: string;
  extra?: string;
}

// ---------------------------------------------------------------------------------------------
// Channels and routing
// ---------------------------------------------------------------------------------------------

export interface ChannelRow {
  id: number;
  uuid: string;
  org_id: number;
  name: string;
  channel_type: string;
  address: string;
  country: string;
  config: Record<string, unknown>;
  schemes: string[];
  roles: string;
}

const CHANNEL_COLUMNS = ['id', 'uuid', 'org_id', 'name', 'channel_type', 'address', 'country', 'config', 'schemes', 'roles'] as const;

export async function activeChannels(db: Db, orgId: number): Promise<ChannelRow[]> {
  return (await db.selectFrom('channels').select([...CHANNEL_COLUMNS]).where('org_id', '=', orgId).where('is_active', '=', true).orderBy('id').execute()) as ChannelRow[];
}

/** An active channel by UUID in any workspace (channel callbacks carry no workspace). */
export async function findActiveChannel(db: Db, uuid: string): Promise<ChannelRow | undefined> {
  return (await db.selectFrom('channels').select([...CHANNEL_COLUMNS]).where('uuid', '=', uuid).where('is_active', '=', true).executeTakeFirst()) as ChannelRow | undefined;
}

export async function findActiveChannelByAddress(db: Db, typeCode: string, address: string): Promise<ChannelRow | undefined> {
  return (await db
    .selectFrom('channels')
    .select([...CHANNEL_COLUMNS])
    .where('channel_type', '=', typeCode)
    .where('address', '=', address)
    .where('is_active', '=', true)
    .orderBy('id')
    .executeTakeFirst()) as ChannelRow | undefined;
}

export interface RoutableUrn {
  id: number;
  contact_id: number;
  scheme: string;
  path: string;
  identity: string;
  display: string | null;
  priority: number;
  channel_id: number | null;
}

/** URNs of many contacts in priority order (one query). */
export async function urnsOfContacts(db: Db, orgId: number, contactIds: number[]): Promise<Map<number, RoutableUrn[]>> {
  const out = new Map<number, RoutableUrn[]>();
  if (!contactIds.length) return out;
  const rows = await sql<RoutableUrn>`
    SELECT id, contact_id, scheme, path, identity, display, priority, channel_id FROM contact_urns
    WHERE org_id = ${orgId} AND contact_id = ANY(${contactIds}::bigint[])
    ORDER BY contact_id, priority DESC, id`.execute(db);
  for (const r of rows.rows) {
    const list = out.get(r.contact_id);
    if (list) list.push(r);
    else out.set(r.contact_id, [r]);
  }
  return out;
}

type RoutingChannel = Channel & { row: ChannelRow };

/** A channel row as the channel types (channels/) see a channel. */
export function toChannel(c: ChannelRow): Channel {
  return { uuid: c.uuid, type: c.channel_type, name: c.name, address: c.address, country: c.country || null, config: c.config ?? {}, schemes: c.schemes, roles: c.roles };
}

/**
 * A workspace's active channels prepared for routing contacts with the one selection logic of
 * channels/selection.ts (affinity, then scheme, number country and longest address prefix), so a
 * caller routing many contacts (a broadcast batch) converts the channel list once.
 */
export function channelRouter(channels: ChannelRow[]): { route(urns: RoutableUrn[]): { urn: RoutableUrn; channel: ChannelRow } | null } {
  const candidates: RoutingChannel[] = channels.map((row) => ({ ...toChannel(row), row }));
  const uuidById = new Map(channels.map((c) => [c.id, c.uuid]));
  return {
    route(urns) {
      // the path is encoded because selection.ts reads URNs as `scheme:path[?query][#display]`
      const r = routeOf(urns.map((u) => ({
        urn: `${u.scheme}:${encodeURIComponent(u.path)}`, channelUuid: u.channel_id !== null ? uuidById.get(u.channel_id) ?? null : null, row: u,
      })), candidates);
      return r && { urn: r.urn.row, channel: r.channel.row };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Creating messages
// ---------------------------------------------------------------------------------------------

export interface NewOutgoing {
  contactId: number;
  urnId: number | null;
  channelId: number | null;
  text: string;
  attachments: string[];
  quickReplies: QuickReplyValue[];
  /** 'Q' when routed, 'F' when it cannot be sent */
  status: 'Q' | 'F';
  failedReason?: 'C' | 'D' | 'S' | null;
  /** given by the engine for flow messages; generated otherwise */
  uuid?: string;
}

export interface CreatedMsg {
  id: number;
  uuid: string;
  contact_id: number;
  channel_id: number | null;
  status: string;
}

export interface OutgoingOptions { broadcastId?: number | null; userId?: number | null; highPriority?: boolean; flowId?: number | null }

/**
 * Inserts outgoing messages in one statement (INSERT ... SELECT FROM unnest). With a broadcast, a
 * contact already holding a message of that broadcast is skipped, so a batch can run twice.
 */
export async function insertOutgoing(db: Db, orgId: number, msgs: NewOutgoing[], opts: OutgoingOptions = {}): Promise<CreatedMsg[]> {
  if (!msgs.length) return [];
  return (await outgoingInsert(orgId, msgs, opts).execute(db)).rows;
}

/**
 * The statement of insertOutgoing, to run alone or as part of a bigger one (`onlyIf`: a condition
 * the rows are inserted under, e.g. a CTE having marked a batch). Content shared by every message
 * (attachments, quick replies: a broadcast's usually are) is sent once rather than per row, and
 * UUIDs are generated by the database unless the messages bring their own. `skipExisting: false`
 * drops the broadcast conflict check for callers that know the contacts have no message yet.
 */
export function outgoingInsert(
  orgId: number, msgs: NewOutgoing[], opts: OutgoingOptions & { onlyIf?: RawBuilder<unknown>; skipExisting?: boolean } = {},
): RawBuilder<CreatedMsg> {
  const attachments = msgs.map((m) => JSON.stringify(m.attachments));
  const quickReplies = msgs.map((m) => JSON.stringify(m.quickReplies));
  const sameAttachments = attachments.every((a) => a === attachments[0]);
  const sameQuickReplies = quickReplies.every((q) => q === quickReplies[0]);
  const withUuids = msgs.some((m) => m.uuid);
  return sql<CreatedMsg>`
    INSERT INTO msgs (uuid, org_id, contact_id, contact_urn_id, channel_id, broadcast_id, flow_id, direction, status, visibility,
                      msg_type, text, attachments, quick_replies, failed_reason, created_by_id, high_priority)
    SELECT ${withUuids ? sql`COALESCE(m.uuid, gen_random_uuid())` : sql`gen_random_uuid()`}, ${orgId}, m.contact_id, m.urn_id, m.channel_id,
           ${opts.broadcastId ?? null}::bigint, ${opts.flowId ?? null}::bigint, 'O', m.status, 'V', 'T', m.text,
           ${sameAttachments ? sql`${msgs[0]?.attachments ?? []}::text[]` : sql`ARRAY(SELECT jsonb_array_elements_text(m.attachments))`},
           ${sameQuickReplies ? sql`${quickReplies[0] ?? '[]'}::jsonb` : sql`m.quick_replies`},
           m.failed_reason, ${opts.userId ?? null}::bigint, ${opts.highPriority ?? false}
    FROM unnest(${withUuids ? msgs.map((m) => m.uuid ?? null) : []}::uuid[], ${msgs.map((m) => m.contactId)}::bigint[], ${msgs.map((m) => m.urnId)}::bigint[],
                ${msgs.map((m) => m.channelId)}::bigint[], ${msgs.map((m) => m.status)}::text[], ${msgs.map((m) => m.text)}::text[],
                ${sameAttachments ? [] : attachments}::jsonb[], ${sameQuickReplies ? [] : quickReplies}::jsonb[],
                ${msgs.map((m) => m.failedReason ?? null)}::text[])
      AS m(uuid, contact_id, urn_id, channel_id, status, text, attachments, quick_replies, failed_reason)
    ${opts.onlyIf ? sql`WHERE ${opts.onlyIf}` : sql``}
    ${opts.broadcastId && opts.skipExisting !== false ? sql`ON CONFLICT (broadcast_id, contact_id) WHERE broadcast_id IS NOT NULL DO NOTHING` : sql``}
    RETURNING id, uuid, contact_id, channel_id, status`;
}

export interface IncomingInput {
  uuid: string;
  contactId: number;
  urnId: number;
  channelId: number;
  text: string;
  attachments: string[];
  externalId: string | null;
  receivedOn: Date;
  /** archived when the contact is blocked */
  visibility: 'V' | 'A';
}

/** Stores a received message as handled (the runtime hands it to flows once they exist). Idempotent on uuid. */
export async function insertIncoming(db: Db, orgId: number, m: IncomingInput): Promise<{ id: number; uuid: string } | undefined> {
  return db
    .insertInto('msgs')
    .values({
      uuid: m.uuid, org_id: orgId, contact_id: m.contactId, contact_urn_id: m.urnId, channel_id: m.channelId,
      direction: 'I', status: 'H', visibility: m.visibility, msg_type: 'T', text: m.text, attachments: m.attachments,
      quick_replies: '[]', external_id: m.externalId, created_on: m.receivedOn, modified_on: m.receivedOn,
    })
    .onConflict((oc) => oc.column('uuid').doNothing())
    .returning(['id', 'uuid'])
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export const FOLDERS = ['inbox', 'flows', 'archived', 'outbox', 'sent', 'failed'] as const;
export type Folder = (typeof FOLDERS)[number];

/** The base query of the messages endpoint: never deleted, never pending. */
export function msgsQuery(db: Db, orgId: number) {
  return db
    .selectFrom('msgs as m')
    .where('m.org_id', '=', orgId)
    .where('m.visibility', 'in', ['V', 'A'])
    .where('m.status', '!=', 'P');
}

/** Narrows a messages query to a folder, matching the folder's partial index predicate exactly. */
export function inFolder<Q extends { where: (...args: any[]) => any }>(q: Q, folder: Folder): Q {
  let r: any = q;
  switch (folder) {
    case 'inbox': r = r.where('m.direction', '=', 'I').where('m.visibility', '=', 'V').where('m.status', '=', 'H').where('m.flow_id', 'is', null); break;
    case 'flows': r = r.where('m.direction', '=', 'I').where('m.visibility', '=', 'V').where('m.status', '=', 'H').where('m.flow_id', 'is not', null); break;
    case 'archived': r = r.where('m.direction', '=', 'I').where('m.visibility', '=', 'A').where('m.status', '=', 'H'); break;
    case 'outbox': r = r.where('m.direction', '=', 'O').where('m.visibility', '=', 'V').where('m.status', 'in', ['I', 'Q', 'E']); break;
    case 'sent': r = r.where('m.direction', '=', 'O').where('m.visibility', '=', 'V').where('m.status', 'in', ['W', 'S', 'D', 'R']); break;
    case 'failed': r = r.where('m.direction', '=', 'O').where('m.visibility', '=', 'V').where('m.status', '=', 'F'); break;
  }
  return r as Q;
}

export interface LabelRef {
  uuid: string;
  name: string;
}

/** Active labels of many messages (one query), ordered by label id. */
export async function labelsOfMsgs(db: Db, msgIds: number[]): Promise<Map<number, LabelRef[]>> {
  const out = new Map<number, LabelRef[]>();
  if (!msgIds.length) return out;
  const rows = await db
    .selectFrom('msg_labels_msgs as lm')
    .innerJoin('msg_labels as l', 'l.id', 'lm.label_id')
    .select(['lm.msg_id', 'l.uuid', 'l.name'])
    .where('lm.msg_id', 'in', msgIds)
    .where('l.is_active', '=', true)
    .orderBy('l.id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.msg_id);
    const ref = { uuid: r.uuid, name: r.name };
    if (list) list.push(ref);
    else out.set(r.msg_id, [ref]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Actions (message_actions)
// ---------------------------------------------------------------------------------------------

export interface ActionTarget {
  id: number;
  direction: string;
  visibility: string;
}

/** Visible or archived messages of the workspace with these ids or uuids. */
export async function findActionTargets(db: Db, orgId: number, ids: number[], uuids: string[]): Promise<(ActionTarget & { uuid: string })[]> {
  if (!ids.length && !uuids.length) return [];
  return db
    .selectFrom('msgs')
    .select(['id', 'uuid', 'direction', 'visibility'])
    .where('org_id', '=', orgId)
    .where('visibility', 'in', ['V', 'A'])
    .where((eb) => eb.or([...(ids.length ? [eb('id', 'in', ids)] : []), ...(uuids.length ? [eb('uuid', 'in', uuids)] : [])]))
    .execute();
}

const bump = sql<string>`clock_timestamp()`;

export async function labelMsgs(tx: Transaction<DB>, orgId: number, ids: number[], labelId: number): Promise<void> {
  if (!ids.length) return;
  const added = await tx
    .insertInto('msg_labels_msgs')
    .values(ids.map((msg_id) => ({ label_id: labelId, msg_id })))
    .onConflict((oc) => oc.doNothing())
    .returning('msg_id')
    .execute();
  if (added.length) await tx.updateTable('msgs').set({ modified_on: bump }).where('org_id', '=', orgId).where('id', 'in', added.map((a) => a.msg_id)).execute();
}

export async function unlabelMsgs(tx: Transaction<DB>, orgId: number, ids: number[], labelId: number): Promise<void> {
  if (!ids.length) return;
  const removed = await tx.deleteFrom('msg_labels_msgs').where('label_id', '=', labelId).where('msg_id', 'in', ids).returning('msg_id').execute();
  if (removed.length) await tx.updateTable('msgs').set({ modified_on: bump }).where('org_id', '=', orgId).where('id', 'in', removed.map((a) => a.msg_id)).execute();
}

export async function setVisibility(tx: Transaction<DB>, orgId: number, ids: number[], from: 'V' | 'A', to: 'V' | 'A'): Promise<void> {
  if (!ids.length) return;
  await tx.updateTable('msgs').set({ visibility: to, modified_on: bump }).where('org_id', '=', orgId).where('id', 'in', ids).where('visibility', '=', from).execute();
}

/** Deletes messages as a user does: content cleared, labels and attachments removed, visibility D. */
export async function deleteMsgs(tx: Transaction<DB>, orgId: number, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await tx.deleteFrom('msg_labels_msgs').where('msg_id', 'in', ids).execute();
  await tx
    .updateTable('msgs')
    .set({ visibility: 'D', text: '', attachments: sql`'{}'::text[]`, quick_replies: '[]', modified_on: bump })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
}
