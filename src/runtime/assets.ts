import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AssetsSource } from '../engine/flows/index.ts';

/**
 * Everything a session of this workspace may reference, in the engine's asset shape: active flows
 * (definitions stored at the current spec), fields, groups (smart ones with their query), globals,
 * labels, topics, channels and users.
 */
export async function loadAssets(db: Kysely<DB>, orgId: number): Promise<AssetsSource> {
  const [flows, fields, groups, globals, labels, topics, channels, users] = await Promise.all([
    db.selectFrom('flows').select('definition').where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('contact_fields').select(['uuid', 'key', 'name', 'value_type']).where('org_id', '=', orgId).where('is_active', '=', true).where('is_system', '=', false).execute(),
    db.selectFrom('contact_groups').select(['uuid', 'name', 'query', 'group_type']).where('org_id', '=', orgId).where('is_active', '=', true).where('group_type', 'in', ['M', 'Q']).execute(),
    db.selectFrom('globals').select(['key', 'name', 'value']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('msg_labels').select(['uuid', 'name']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('topics').select(['uuid', 'name']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('channels').select(['uuid', 'name', 'address', 'schemes', 'roles', 'country']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('users as u').innerJoin('org_memberships as m', 'm.user_id', 'u.id').select(['u.uuid', 'u.email', 'u.first_name', 'u.last_name']).where('m.org_id', '=', orgId).where('u.is_active', '=', true).execute(),
  ]);
  const ROLE_NAMES: Record<string, string> = { S: 'send', R: 'receive', C: 'call', A: 'answer' };
  return {
    flows: flows.map((f) => f.definition),
    fields: fields.map((f) => ({ uuid: f.uuid, key: f.key, name: f.name, type: f.value_type })),
    groups: groups.map((g) => ({ uuid: g.uuid, name: g.name, ...(g.group_type === 'Q' && g.query ? { query: g.query } : {}) })),
    globals: globals.map((g) => ({ key: g.key, name: g.name, value: g.value })),
    labels: labels.map((l) => ({ uuid: l.uuid, name: l.name })),
    topics: topics.map((t) => ({ uuid: t.uuid, name: t.name })),
    channels: channels.map((c) => ({
      uuid: c.uuid, name: c.name, address: c.address, schemes: c.schemes,
      roles: [...c.roles].map((r) => ROLE_NAMES[r]).filter(Boolean), ...(c.country ? { country: c.country } : {}),
    })) as any,
    users: users.map((u) => ({ uuid: u.uuid, email: u.email, name: `${u.first_name} ${u.last_name}`.trim() })),
  };
}
