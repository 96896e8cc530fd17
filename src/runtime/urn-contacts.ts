// Get-or-create contacts by URN, for broadcast `urns` and incoming messages. Built on the contacts
// model: existing owners are found with resolveContactRefs, new contacts are made with createContact
// (which claims orphan URN rows or inserts new ones under the unique (org_id, identity) index).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { createContact, resolveContactRefs, UrnInUseError, type ContactRow } from '../models/contacts.ts';
import type { Urn } from '../models/urns.ts';
import type { Workspace } from '../models/workspaces.ts';
import { PREPARE } from '../db/statements.ts';

/**
 * The active contact owning each URN, creating one (named `name` when given) for URNs nobody owns.
 * Run inside the caller's transaction; a concurrent creation of the same URN surfaces as the
 * contacts model's UrnInUseError, on which the lookup is retried once under a savepoint.
 */
export async function getOrCreateContactsByUrns(
  tx: Transaction<DB>,
  ws: Workspace,
  urns: Urn[],
  opts: { name?: string | null; userId?: number | null } = {},
): Promise<{ contact: ContactRow; created: boolean }[]> {
  const found = await resolveContactRefs(tx, ws.id, urns.map((u) => ({ identity: u.identity })));
  const out: { contact: ContactRow; created: boolean }[] = [];
  const madeNow = new Map<string, ContactRow>();
  for (let i = 0; i < urns.length; i++) {
    const existing = found[i] ?? madeNow.get(urns[i].identity);
    if (existing) {
      out.push({ contact: existing, created: false });
      continue;
    }
    await sql`SAVEPOINT urn_contact`.execute(tx);
    try {
      const contact = await createContact(tx, ws, opts.userId ?? null, { name: opts.name ?? null, urns: [urns[i]] });
      await sql`RELEASE SAVEPOINT urn_contact`.execute(tx);
      madeNow.set(urns[i].identity, contact);
      out.push({ contact, created: true });
    } catch (e) {
      if (!(e instanceof UrnInUseError)) throw e;
      await sql`ROLLBACK TO SAVEPOINT urn_contact`.execute(tx);
      const [again] = await resolveContactRefs(tx, ws.id, [{ identity: urns[i].identity }]);
      if (!again) throw e;
      out.push({ contact: again, created: false });
    }
  }
  return out;
}

/**
 * The active contact owning a URN, with the URN's id, pointing the URN at `channelId` (affinity) in
 * the same statement — written only when it differs, so a contact replying on its usual channel
 * writes no row. Undefined when nobody active owns the URN (create it with getOrCreateContactsByUrns).
 */
export async function knownContactByUrn(db: Kysely<DB>, orgId: number, identity: string, channelId: number): Promise<{ contact: ContactRow; urnId: number } | undefined> {
  // text with NUL characters can match nothing (and PostgreSQL cannot even compare it)
  if (identity.includes('\0')) return undefined;
  const r = await sql<ContactRow & { urn_id: number }>`${sql.raw(PREPARE)}
    WITH u AS (SELECT id, contact_id FROM contact_urns WHERE org_id = ${orgId} AND identity = ${identity}),
    affinity AS (
      UPDATE contact_urns SET channel_id = ${channelId}
       WHERE id = (SELECT id FROM u) AND channel_id IS DISTINCT FROM ${channelId}::bigint)
    SELECT c.id, c.uuid, c.org_id, c.name, c.language, c.status, c.is_active, c.current_flow_id, c.created_on, c.modified_on, c.last_seen_on,
           u.id AS urn_id
      FROM u JOIN contacts c ON c.id = u.contact_id
     WHERE c.org_id = ${orgId} AND c.is_active`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  const { urn_id, ...contact } = row;
  return { contact, urnId: urn_id };
}
