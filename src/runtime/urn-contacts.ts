// Get-or-create contacts by URN, for broadcast `urns` and incoming messages. Built on the contacts
// model: existing owners are found with resolveContactRefs, new contacts are made with createContact
// (which claims orphan URN rows or inserts new ones under the unique (org_id, identity) index).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { createContact, resolveContactRefs, UrnInUseError, type ContactRow } from '../models/contacts.ts';
import type { Urn } from '../models/urns.ts';
import type { Workspace } from '../models/workspaces.ts';

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
