import { sql } from 'kysely';
import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { paramAll, uuidParams } from '../params.ts';
import { formatDatetime } from '../datetimes.ts';
import { membersQuery, type MemberRow, type Role } from '../../models/users.ts';

/**
 * Roles as the API names them. Current RapidPro has administrator, editor and agent; the v9
 * generation (whose clients we also serve) listed viewers too, as "viewer". We keep viewers
 * (our CLI can create them) rather than hide members from the list.
 */
const API_ROLES: readonly Role[] = ['administrator', 'editor', 'agent', 'viewer'];

export function serializeUser(u: MemberRow) {
  const name = `${u.first_name} ${u.last_name}`.trim();
  return {
    uuid: u.uuid,
    name,
    email: u.email,
    role: u.role,
    team: u.role === 'agent' && u.team_uuid ? { uuid: u.team_uuid, name: u.team_name } : null,
    created_on: formatDatetime(u.date_joined),
    avatar: u.avatar,
    first_name: u.first_name,
    last_name: u.last_name,
  };
}

export const users: Endpoint = {
  name: 'users',
  handlers: {
    async GET({ req, db, workspace }) {
      let q = membersQuery(db, workspace.id).select(['u.date_joined as _order', 'u.id as _id']);
      // Roles: repeatable; unknown names are dropped, and if every one is unknown nothing matches.
      const roleParams = paramAll(req, 'role');
      if (roleParams.length) {
        const roles = roleParams.filter((r): r is Role => (API_ROLES as readonly string[]).includes(r));
        q = roles.length ? q.where('m.role', 'in', roles) : q.where(sql<boolean>`false`);
      }
      const uuids = uuidParams(req, 'uuid');
      if (uuids.length) q = q.where('u.uuid', 'in', uuids);
      const emails = paramAll(req, 'email');
      if (emails.length) q = q.where(sql`lower(u.email)`, 'in', emails.map((e) => e.toLowerCase()));
      const page = await paginate(req, q, { orderColumn: 'u.date_joined', idColumn: 'u.id' });
      return { status: 200, body: { ...page, results: page.results.map((r) => serializeUser(r as MemberRow)) } };
    },
  },
};
