import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Counts every statement sent by any pg client of this process while `fn` runs. */
export async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  const proto = pg.Client.prototype as any;
  const orig = proto.query;
  let n = 0;
  proto.query = function (...args: unknown[]) {
    n++;
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
