import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

const STATUS: Record<string, string> = { A: 'active', B: 'blocked', S: 'stopped', V: 'archived' };

const iso = (ts: string | null) => (ts ? ts.replace(' ', 'T').replace(/\+00(:00)?$/, 'Z') : undefined);

/**
 * Contacts in the engine's JSON form (uuid, id, name, language, status, dates, URNs in priority
 * order with channel affinity, groups, typed field values), four queries for any number of them.
 */
export async function loadEngineContacts(db: Kysely<DB>, orgId: number, ids: number[]): Promise<Map<number, Record<string, unknown>>> {
  const out = new Map<number, Record<string, unknown>>();
  if (!ids.length) return out;
  const [contacts, urns, values, groups] = await Promise.all([
    db.selectFrom('contacts').select(['id', 'uuid', 'name', 'language', 'status', 'created_on', 'last_seen_on']).where('org_id', '=', orgId).where('id', 'in', ids).execute(),
    db.selectFrom('contact_urns as u').leftJoin('channels as ch', 'ch.id', 'u.channel_id')
      .select(['u.contact_id', 'u.scheme', 'u.path', 'u.display', 'ch.uuid as channel_uuid'])
      .where('u.org_id', '=', orgId).where('u.contact_id', 'in', ids).orderBy('u.priority', 'desc').orderBy('u.id').execute(),
    db.selectFrom('contact_field_values as v').innerJoin('contact_fields as f', 'f.id', 'v.field_id')
      .select(['v.contact_id', 'f.key', 'v.text_value', sql<string | null>`v.number_value::text`.as('number_value'), 'v.datetime_value', 'v.state_value', 'v.district_value', 'v.ward_value'])
      .where('v.org_id', '=', orgId).where('v.contact_id', 'in', ids).where('f.is_active', '=', true).execute(),
    db.selectFrom('contact_groups_contacts as gc').innerJoin('contact_groups as g', 'g.id', 'gc.group_id')
      .select(['gc.contact_id', 'g.uuid', 'g.name'])
      .where('g.org_id', '=', orgId).where('gc.contact_id', 'in', ids).where('g.is_active', '=', true).where('g.group_type', 'in', ['M', 'Q']).orderBy('g.id').execute(),
  ]);
  for (const c of contacts) {
    out.set(c.id, {
      uuid: c.uuid, id: c.id, ...(c.name ? { name: c.name } : {}), ...(c.language ? { language: c.language } : {}),
      status: STATUS[c.status] ?? 'active', created_on: iso(c.created_on), ...(c.last_seen_on ? { last_seen_on: iso(c.last_seen_on) } : {}),
      urns: [] as string[], groups: [] as { uuid: string; name: string }[], fields: {} as Record<string, unknown>,
    });
  }
  for (const u of urns) {
    const c = out.get(u.contact_id!);
    if (!c) continue;
    const query = u.channel_uuid ? `?channel=${u.channel_uuid}` : '';
    const display = u.display ? `#${encodeURIComponent(u.display)}` : '';
    (c.urns as string[]).push(`${u.scheme}:${u.path}${query}${display}`);
  }
  for (const v of values) {
    const c = out.get(v.contact_id);
    if (!c) continue;
    (c.fields as Record<string, unknown>)[v.key] = {
      text: v.text_value,
      ...(v.number_value !== null ? { number: Number(v.number_value) } : {}),
      ...(v.datetime_value ? { datetime: iso(v.datetime_value) } : {}),
      ...(v.state_value ? { state: v.state_value } : {}),
      ...(v.district_value ? { district: v.district_value } : {}),
      ...(v.ward_value ? { ward: v.ward_value } : {}),
    };
  }
  for (const g of groups) (out.get(g.contact_id)?.groups as { uuid: string; name: string }[] | undefined)?.push({ uuid: g.uuid, name: g.name });
  return out;
}
