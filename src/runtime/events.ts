import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from '../models/workspaces.ts';
import { toUrn } from '../models/urns.ts';
import { CODE_BY_STATUS, type ContactStatus } from '../models/contacts.ts';

/** Where outgoing messages created by flows go (the messaging pipeline implements it). */
export interface MessageSink {
  /** Queues the `msg_created` events of one contact's sprint for sending, in the caller's transaction. */
  queueFlowMessages(tx: Kysely<DB>, ws: Workspace, contactId: number, events: any[], flowUuid: string | null): Promise<void>;
  /**
   * queueFlowMessages for many contacts' sprints at once (a flow start batch): one insert and one
   * job enqueue instead of a few statements per contact. Sinks without it get one call per contact.
   */
  queueFlowMessagesBatch?(tx: Kysely<DB>, ws: Workspace, items: FlowMessages[], ids: AssetIds): Promise<void>;
  /** Labels the incoming message that the sprint handled (`input_labels_added`). */
  labelInput?(tx: Kysely<DB>, ws: Workspace, msgUuid: string, labels: { uuid: string; name: string }[]): Promise<void>;
  /**
   * What queueFlowMessagesBatch would write, as CTEs for the statement that stores the sprint
   * (sessions.ts PersistOptions.also: written only with the session), when that needs no lookup
   * first; null otherwise. `written()` is called once the statement has run.
   */
  flowMessagesSql?(ws: Workspace, items: FlowMessages[], ids: AssetIds): { sql: RawBuilder<unknown>; written(): void } | null;
}

/** One contact's sprint events, with its URN ids as loaded (identity → id) when known. */
export interface FlowMessages {
  contactId: number;
  events: any[];
  flowUuid: string | null;
  urnIds?: Map<string, number>;
}

/** Database ids of the workspace's assets (runtime/assets.ts), so writers need not look them up. */
export interface AssetIds {
  flowIds: Map<string, number>;
  channelIds: Map<string, number>;
}

const now = sql<string>`clock_timestamp()`;

/** Events whose writes take statements of their own (applyContactEvents, labels). */
const OWN_STATEMENT_EVENTS = new Set([
  'contact_name_changed', 'contact_language_changed', 'contact_status_changed', 'contact_last_seen_changed',
  'contact_field_changed', 'contact_groups_changed', 'contact_urns_changed', 'input_labels_added',
]);

/** Whether applySprintEvents would write nothing for these events but their messages. */
export const onlyMessageWrites = (events: any[]) => !events.some((e) => OWN_STATEMENT_EVENTS.has(e.type));

/**
 * Applies the events of many contacts' sprints: each contact's changes, then every message in one
 * batch when the sink can take one, then input labels.
 */
export async function applySprintEvents(tx: Kysely<DB>, ws: Workspace, items: FlowMessages[], sink: MessageSink | null, ids: AssetIds): Promise<void> {
  for (const item of items) await applyContactEvents(tx, ws, item.contactId, item.events);
  if (!sink) return;
  const withMessages = items.filter((i) => i.events.some((e) => e.type === 'msg_created'));
  if (sink.queueFlowMessagesBatch) {
    if (withMessages.length) await sink.queueFlowMessagesBatch(tx, ws, withMessages, ids);
  } else {
    for (const i of withMessages) await sink.queueFlowMessages(tx, ws, i.contactId, i.events, i.flowUuid);
  }
  if (sink.labelInput) {
    for (const i of items) {
      for (const e of i.events) if (e.type === 'input_labels_added' && e.input_uuid) await sink.labelInput(tx, ws, e.input_uuid, e.labels ?? []);
    }
  }
}

/**
 * Applies a sprint's contact changes to the database (name, language, status, field values, groups,
 * URNs, last seen). The engine has already computed smart group membership, so its
 * contact_groups_changed events are applied as they are.
 */
async function applyContactEvents(tx: Kysely<DB>, ws: Workspace, contactId: number, events: any[]): Promise<void> {
  let touched = false;
  const contactSet: Record<string, unknown> = {};
  for (const e of events) {
    switch (e.type) {
      case 'contact_name_changed':
        contactSet.name = e.name || null;
        break;
      case 'contact_language_changed':
        contactSet.language = e.language || null;
        break;
      case 'contact_status_changed':
        contactSet.status = CODE_BY_STATUS[e.status as ContactStatus] ?? 'A';
        break;
      case 'contact_last_seen_changed':
        contactSet.last_seen_on = e.last_seen_on;
        break;
      case 'contact_field_changed':
        await applyFieldChange(tx, ws, contactId, e);
        touched = true;
        break;
      case 'contact_groups_changed':
        await applyGroupChange(tx, ws, contactId, e);
        touched = true;
        break;
      case 'contact_urns_changed':
        await applyUrnChange(tx, ws, contactId, e.urns ?? []);
        touched = true;
        break;
    }
  }
  if (touched || Object.keys(contactSet).length) {
    await tx.updateTable('contacts').set({ ...contactSet, modified_on: now }).where('org_id', '=', ws.id).where('id', '=', contactId).execute();
  }
}

async function applyFieldChange(tx: Kysely<DB>, ws: Workspace, contactId: number, e: any): Promise<void> {
  const field = await tx.selectFrom('contact_fields').select('id').where('org_id', '=', ws.id).where('key', '=', e.field?.key).where('is_active', '=', true).executeTakeFirst();
  if (!field) return;
  const v = e.value;
  if (!v || !v.text) {
    await tx.deleteFrom('contact_field_values').where('contact_id', '=', contactId).where('field_id', '=', field.id).execute();
    return;
  }
  const row = {
    contact_id: contactId, field_id: field.id, org_id: ws.id, text_value: String(v.text),
    number_value: v.number !== undefined && v.number !== null ? String(v.number) : null,
    datetime_value: v.datetime ?? null, state_value: v.state ?? null, district_value: v.district ?? null, ward_value: v.ward ?? null,
  };
  await tx.insertInto('contact_field_values').values(row as any)
    .onConflict((oc) => oc.columns(['contact_id', 'field_id']).doUpdateSet(row as any)).execute();
}

async function applyGroupChange(tx: Kysely<DB>, ws: Workspace, contactId: number, e: any): Promise<void> {
  const uuids = (list: any[] | undefined) => (list ?? []).map((g) => g.uuid).filter(Boolean);
  const added = uuids(e.groups_added);
  const removed = uuids(e.groups_removed);
  if (added.length) {
    await sql`INSERT INTO contact_groups_contacts (group_id, contact_id)
      SELECT id, ${contactId} FROM contact_groups WHERE org_id = ${ws.id} AND is_active AND uuid = ANY(${added}::uuid[])
      ON CONFLICT DO NOTHING`.execute(tx);
  }
  if (removed.length) {
    await sql`DELETE FROM contact_groups_contacts WHERE contact_id = ${contactId}
      AND group_id IN (SELECT id FROM contact_groups WHERE org_id = ${ws.id} AND uuid = ANY(${removed}::uuid[]))`.execute(tx);
  }
}

/** The engine's URN list becomes the contact's, in priority order; URNs of other contacts stay theirs. */
async function applyUrnChange(tx: Kysely<DB>, ws: Workspace, contactId: number, urns: string[]): Promise<void> {
  const parsed = urns.map((u) => toUrn(u));
  const identities = parsed.map((u) => u.identity);
  await sql`UPDATE contact_urns SET contact_id = NULL WHERE org_id = ${ws.id} AND contact_id = ${contactId} AND NOT (identity = ANY(${identities}::text[]))`.execute(tx);
  for (const [i, u] of parsed.entries()) {
    await sql`INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, display, priority)
      VALUES (${ws.id}, ${contactId}, ${u.scheme}, ${u.path}, ${u.identity}, ${u.display}, ${1000 - i})
      ON CONFLICT (org_id, identity) DO UPDATE SET contact_id = EXCLUDED.contact_id, priority = EXCLUDED.priority
      WHERE contact_urns.contact_id IS NULL OR contact_urns.contact_id = EXCLUDED.contact_id`.execute(tx);
  }
}
