import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { outgoingInsert, type CreatedMsg, type NewOutgoing, type QuickReplyValue } from './msgs.ts';

/**
 * Broadcasts: one message content (per language) sent to URNs, contacts and groups. Created pending
 * with their recipients in one transaction; a job expands them into messages (runtime/broadcasts.ts).
 */

type Db = Kysely<DB> | Transaction<DB>;

export const BROADCAST_STATUS_NAMES: Record<string, string> = {
  P: 'pending', Q: 'queued', S: 'started', C: 'completed', F: 'failed', I: 'interrupted',
};

export interface Translation {
  text: string | null;
  attachments: string[];
  quick_replies: QuickReplyValue[];
}

export interface BroadcastRow {
  id: number;
  uuid: string;
  status: string;
  translations: Record<string, Translation>;
  base_language: string;
  urns: string[];
  contact_count: number;
  msg_count: number;
  created_on: string;
}

const COLUMNS = ['b.id', 'b.uuid', 'b.status', 'b.translations', 'b.base_language', 'b.urns', 'b.contact_count', 'b.msg_count', 'b.created_on'] as const;

/** Listed broadcasts: active and not scheduled. */
export function broadcastsQuery(db: Db, orgId: number) {
  return db
    .selectFrom('broadcasts as b')
    .select([...COLUMNS])
    .where('b.org_id', '=', orgId)
    .where('b.is_active', '=', true)
    .where('b.is_scheduled', '=', false);
}

export interface NewBroadcast {
  translations: Record<string, Translation>;
  baseLanguage: string;
  /** normalised URN strings */
  urns: string[];
  contactIds: number[];
  groupIds: number[];
  userId: number | null;
}

export async function insertBroadcast(tx: Transaction<DB>, orgId: number, b: NewBroadcast): Promise<BroadcastRow> {
  const row = await tx
    .insertInto('broadcasts')
    .values({
      uuid: randomUUID(), org_id: orgId, status: 'P', translations: JSON.stringify(b.translations), base_language: b.baseLanguage,
      urns: b.urns, created_by_id: b.userId,
    })
    .returning(COLUMNS.map((c) => c.slice(2) as 'id'))
    .executeTakeFirstOrThrow();
  const contactIds = [...new Set(b.contactIds)];
  const groupIds = [...new Set(b.groupIds)];
  if (contactIds.length) await tx.insertInto('broadcasts_contacts').values(contactIds.map((contact_id) => ({ broadcast_id: row.id, contact_id }))).execute();
  if (groupIds.length) await tx.insertInto('broadcasts_groups').values(groupIds.map((group_id) => ({ broadcast_id: row.id, group_id }))).execute();
  return row as BroadcastRow;
}

export interface Recipients {
  contacts: Map<number, { uuid: string; name: string | null }[]>;
  groups: Map<number, { uuid: string; name: string }[]>;
}

/** Contacts and groups of many broadcasts, each ordered by id (two queries). */
export async function broadcastRecipients(db: Db, broadcastIds: number[]): Promise<Recipients> {
  const out: Recipients = { contacts: new Map(), groups: new Map() };
  if (!broadcastIds.length) return out;
  const [contacts, groups] = await Promise.all([
    db.selectFrom('broadcasts_contacts as bc').innerJoin('contacts as c', 'c.id', 'bc.contact_id')
      .select(['bc.broadcast_id', 'c.uuid', 'c.name']).where('bc.broadcast_id', 'in', broadcastIds).orderBy('c.id').execute(),
    db.selectFrom('broadcasts_groups as bg').innerJoin('contact_groups as g', 'g.id', 'bg.group_id')
      .select(['bg.broadcast_id', 'g.uuid', 'g.name']).where('bg.broadcast_id', 'in', broadcastIds).orderBy('g.id').execute(),
  ]);
  for (const c of contacts) {
    const list = out.contacts.get(c.broadcast_id) ?? [];
    list.push({ uuid: c.uuid, name: c.name });
    out.contacts.set(c.broadcast_id, list);
  }
  for (const g of groups) {
    const list = out.groups.get(g.broadcast_id) ?? [];
    list.push({ uuid: g.uuid, name: g.name });
    out.groups.set(g.broadcast_id, list);
  }
  return out;
}

/**
 * The content for one contact (mailroom's ForContact): languages tried in order — the contact's
 * language when the workspace allows it, the workspace default, the broadcast's base language — and
 * text, attachments and quick replies each taken from the first language where they are non-empty.
 */
export function contentForContact(
  translations: Record<string, Translation>,
  baseLanguage: string,
  contactLanguage: string | null,
  workspaceLanguages: string[],
): { text: string; attachments: string[]; quickReplies: QuickReplyValue[] } {
  const order: string[] = [];
  if (contactLanguage && workspaceLanguages.includes(contactLanguage)) order.push(contactLanguage);
  if (workspaceLanguages[0]) order.push(workspaceLanguages[0]);
  order.push(baseLanguage);
  const pick = <T>(get: (t: Translation) => T | null | undefined, empty: (v: T) => boolean): T | undefined => {
    for (const lang of order) {
      const t = translations[lang];
      const v = t ? get(t) : undefined;
      if (v !== undefined && v !== null && !empty(v)) return v;
    }
    return undefined;
  };
  return {
    text: pick((t) => t.text, (v) => v === '') ?? '',
    attachments: pick((t) => t.attachments, (v) => v.length === 0) ?? [],
    quickReplies: pick((t) => t.quick_replies, (v) => v.length === 0) ?? [],
  };
}

/**
 * One batch of a broadcast in one statement: the batch marker (the idempotency key: null when the
 * batch was already done), its messages, and the broadcast's progress (completed with its last
 * batch). The marker makes a second run of the batch insert nothing, and expansion gives every
 * contact to one batch only, so the messages need no conflict check of their own. The broadcast
 * row is shared by every batch, so the caller commits soon after.
 */
export async function insertBroadcastBatch(
  tx: Transaction<DB>, orgId: number, broadcastId: number, batchNo: number, msgs: NewOutgoing[], userId: number | null,
): Promise<CreatedMsg[] | null> {
  const insert = msgs.length
    ? sql`, created AS (${outgoingInsert(orgId, msgs, { broadcastId, userId, onlyIf: sql`EXISTS (SELECT 1 FROM marked)`, skipExisting: false })})`
    : sql`, created AS (SELECT NULL::bigint AS id, NULL::uuid AS uuid, NULL::bigint AS contact_id, NULL::bigint AS channel_id, NULL::text AS status WHERE false)`;
  const r = await sql<CreatedMsg & { marked: boolean }>`
    WITH marked AS (
      INSERT INTO broadcast_batches (broadcast_id, batch_no) VALUES (${broadcastId}, ${batchNo}) ON CONFLICT DO NOTHING RETURNING batch_no
    )${insert}, progress AS (
      UPDATE broadcasts SET msg_count = msg_count + (SELECT count(*) FROM created), batches_done = batches_done + 1,
        status = CASE WHEN status IN ('I','F') THEN status WHEN batches_done + 1 >= batch_count THEN 'C' ELSE 'S' END,
        modified_on = clock_timestamp()
      WHERE id = ${broadcastId} AND org_id = ${orgId} AND EXISTS (SELECT 1 FROM marked)
    )
    SELECT c.*, NULL AS marked FROM created c
    UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, EXISTS (SELECT 1 FROM marked)`.execute(tx);
  const out: CreatedMsg[] = [];
  let marked = false;
  for (const { marked: m, ...row } of r.rows) {
    if (row.id === null) marked = m;
    else out.push(row);
  }
  return marked ? out : null;
}
