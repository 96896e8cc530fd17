// What a provider's answer to a send means for the contact, beyond the message row (courier's
// sender): "the contact opted out" stops the contact, a URN the provider revealed (WhatsApp's user
// id) is appended to the contact. Both run in the transaction that writes the messages' outcomes.
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { bulkChangeStatus, TOP_PRIORITY } from '../models/contacts.ts';
import { toUrn } from '../models/urns.ts';
import { normalizeURN } from '../engine/urns/index.ts';

/**
 * The contacts of these messages opted out on the channel: as courier, a stop-contact channel event
 * is recorded (it shows in channel_events.json), and as mailroom handles that event, each contact is
 * stopped — status S and out of every group (the contact_actions helper).
 */
export async function stopContactsOfMsgs(tx: Transaction<DB>, orgId: number, channelId: number, msgIds: number[]): Promise<void> {
  if (!msgIds.length) return;
  const msgs = await tx.selectFrom('msgs').select(['contact_id', 'contact_urn_id']).where('org_id', '=', orgId).where('id', 'in', msgIds).execute();
  if (!msgs.length) return;
  await tx.insertInto('channel_events').values(msgs.map((m) => ({
    uuid: randomUUID(), org_id: orgId, channel_id: channelId, contact_id: m.contact_id, contact_urn_id: m.contact_urn_id,
    event_type: 'stop-contact', extra: '{}', occurred_on: sql<Date>`clock_timestamp()`,
  }))).execute();
  await bulkChangeStatus(tx, orgId, null, [...new Set(msgs.map((m) => m.contact_id))], 'stopped');
}

/**
 * A URN the provider gave for the recipient of a sent message is appended to its contact (lowest
 * priority, this channel as affinity), as mailroom applies courier's new_urn "append": nothing
 * happens when the contact has it already or another contact owns it (a detached URN is taken).
 */
export async function appendUrnsFromSends(tx: Transaction<DB>, orgId: number, channelId: number, items: { msgId: number; urn: string }[]): Promise<void> {
  for (const { msgId, urn } of items) {
    const normalized = normalizeURN(urn, null);
    if (!normalized) continue;
    let u;
    try {
      u = toUrn(normalized);
    } catch {
      continue; // a provider's malformed id: nothing to add
    }
    await sql`
      WITH m AS (SELECT contact_id FROM msgs WHERE org_id = ${orgId} AND id = ${msgId}),
      added AS (
        INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, display, priority, channel_id)
        SELECT ${orgId}, m.contact_id, ${u.scheme}, ${u.path}, ${u.identity}, ${u.display},
               COALESCE((SELECT min(priority) - 1 FROM contact_urns WHERE org_id = ${orgId} AND contact_id = m.contact_id), ${TOP_PRIORITY}), ${channelId}
        FROM m
        ON CONFLICT (org_id, identity) DO UPDATE SET contact_id = EXCLUDED.contact_id, priority = EXCLUDED.priority, channel_id = EXCLUDED.channel_id
          WHERE contact_urns.contact_id IS NULL
        RETURNING contact_id)
      UPDATE contacts SET modified_on = clock_timestamp() WHERE org_id = ${orgId} AND id IN (SELECT contact_id FROM added)`.execute(tx);
  }
}
