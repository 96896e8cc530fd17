import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Counts the statements any pg client of this process sends while `fn` runs, leaving out the
 * dispatcher's own (token lookup, throttle syncs — asynchronous and timer-driven, so not per request).
 */
export async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  const proto = pg.Client.prototype as any;
  const orig = proto.query;
  let n = 0;
  proto.query = function (...args: unknown[]) {
    const first = args[0] as { text?: string } | string;
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    if (!/api_throttle|api_tokens/.test(text)) n++;
    return orig.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = orig;
  }
  return n;
}

export async function makeGroup(db: Kysely<DB>, orgId: number, name: string, query: string | null = null): Promise<{ id: number; uuid: string }> {
  return db
    .insertInto('contact_groups')
    .values({ uuid: randomUUID(), org_id: orgId, name, group_type: query ? 'Q' : 'M', query })
    .returning(['id', 'uuid'])
    .executeTakeFirstOrThrow();
}

/** Bulk contacts with 2 URNs, group membership and a value for every field, in a few statements. */
export async function seedContacts(d: Kysely<DB>, orgId: number, n: number, groupId?: number): Promise<void> {
  await sql`
    INSERT INTO contacts (uuid, org_id, name, language, created_on, modified_on)
    SELECT gen_random_uuid(), ${orgId}, 'Contact ' || i, 'eng', now() - (i || ' seconds')::interval, now() - ((i % 97) || ' seconds')::interval
    FROM generate_series(1, ${n}) i`.execute(d);
  await sql`
    INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, priority)
    SELECT ${orgId}, c.id, s.scheme, s.scheme || c.id, s.scheme || ':' || s.scheme || c.id, s.priority
    FROM contacts c CROSS JOIN (VALUES ('ext', 1000), ('twitter', 999)) s(scheme, priority) WHERE c.org_id = ${orgId}`.execute(d);
  await sql`
    INSERT INTO contact_field_values (contact_id, field_id, org_id, text_value, number_value)
    SELECT c.id, f.id, ${orgId}, (c.id % 1000)::text, c.id % 1000
    FROM contacts c CROSS JOIN contact_fields f WHERE c.org_id = ${orgId} AND f.org_id = ${orgId} AND NOT f.is_system AND f.is_active`.execute(d);
  if (groupId !== undefined) {
    await sql`INSERT INTO contact_groups_contacts (group_id, contact_id) SELECT ${groupId}, id FROM contacts WHERE org_id = ${orgId}`.execute(d);
  }
}

/** A minimal flow row (the definition is not run). */
export async function makeFlow(d: Kysely<DB>, orgId: number, name: string): Promise<{ id: number; uuid: string }> {
  const uuid = randomUUID();
  return d
    .insertInto('flows')
    .values({ uuid, org_id: orgId, name, flow_type: 'message', spec_version: '14.4.2', definition: JSON.stringify({ uuid, name, nodes: [] }) } as any)
    .returning(['id', 'uuid'])
    .executeTakeFirstOrThrow();
}

/** Puts a contact in a flow: a waiting session with a waiting run, and the contact's current flow. */
export async function waitIn(d: Kysely<DB>, orgId: number, flowId: number, contactId: number): Promise<void> {
  const s = await sql<{ id: number }>`INSERT INTO flow_sessions (uuid, org_id, contact_id, status, current_flow_id)
    VALUES (gen_random_uuid(), ${orgId}, ${contactId}, 'W', ${flowId}) RETURNING id`.execute(d);
  await sql`INSERT INTO flow_runs (uuid, org_id, flow_id, contact_id, session_id, status)
    VALUES (gen_random_uuid(), ${orgId}, ${flowId}, ${contactId}, ${s.rows[0].id}, 'W')`.execute(d);
  await sql`UPDATE contacts SET current_flow_id = ${flowId} WHERE id = ${contactId}`.execute(d);
}

/** A message row for a contact. */
export async function msg(d: Kysely<DB>, orgId: number, contactId: number, direction: 'I' | 'O', visibility: 'V' | 'A'): Promise<void> {
  await sql`INSERT INTO msgs (uuid, org_id, contact_id, direction, status, visibility, text)
    VALUES (gen_random_uuid(), ${orgId}, ${contactId}, ${direction}, ${direction === 'I' ? 'H' : 'S'}, ${visibility}, 'hello')`.execute(d);
}
