import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { InvalidInputError } from './errors.ts';

export const ROLES = ['administrator', 'editor', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface NewMember {
  email: string;
  role: Role;
  firstName?: string;
  lastName?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Adds a user to a workspace with a role, creating the user when the email is new (one user can
 * belong to several workspaces). Agents join the workspace's default team.
 */
export async function addMember(db: Kysely<DB>, orgId: number, input: NewMember): Promise<{ id: number; uuid: string; email: string; role: Role }> {
  const email = input.email.trim();
  if (!EMAIL.test(email)) throw new InvalidInputError(`invalid email address "${input.email}"`);
  if (!ROLES.includes(input.role)) throw new InvalidInputError(`role must be one of ${ROLES.join(', ')}`);
  return db.transaction().execute(async (tx) => {
    let user = await tx.selectFrom('users').select(['id', 'uuid', 'email']).where(sql`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
    if (!user) {
      user = await tx
        .insertInto('users')
        .values({ uuid: randomUUID(), email, first_name: input.firstName ?? '', last_name: input.lastName ?? '', avatar: null })
        .returning(['id', 'uuid', 'email'])
        .executeTakeFirstOrThrow();
    }
    let teamId: number | null = null;
    if (input.role === 'agent') {
      const team = await tx.selectFrom('teams').select('id').where('org_id', '=', orgId).where('is_system', '=', true).executeTakeFirst();
      teamId = team?.id ?? null;
    }
    await tx
      .insertInto('org_memberships')
      .values({ org_id: orgId, user_id: user.id, role: input.role, team_id: teamId })
      .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ role: input.role, team_id: teamId }))
      .execute();
    return { ...user, role: input.role };
  });
}

export async function findMemberByEmail(db: Kysely<DB>, orgId: number, email: string) {
  return db
    .selectFrom('users as u')
    .innerJoin('org_memberships as m', 'm.user_id', 'u.id')
    .select(['u.id', 'u.uuid', 'u.email', 'm.role'])
    .where('m.org_id', '=', orgId)
    .where(sql`lower(u.email)`, '=', email.trim().toLowerCase())
    .where('u.is_active', '=', true)
    .executeTakeFirst();
}

export async function removeMember(db: Kysely<DB>, orgId: number, userId: number): Promise<void> {
  await db.deleteFrom('org_memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
}

/** A workspace member as the users endpoint shows them. */
export interface MemberRow {
  id: number;
  uuid: string;
  email: string;
  first_name: string;
  last_name: string;
  avatar: string | null;
  date_joined: string;
  role: Role;
  team_uuid: string | null;
  team_name: string | null;
}

/** Active users with a role in the workspace, with their team (agents belong to one). */
export function membersQuery(db: Kysely<DB>, orgId: number) {
  return db
    .selectFrom('users as u')
    .innerJoin('org_memberships as m', (j) => j.onRef('m.user_id', '=', 'u.id').on('m.org_id', '=', orgId))
    .leftJoin('teams as t', (j) => j.onRef('t.id', '=', 'm.team_id').on('t.org_id', '=', orgId))
    .select(['u.id', 'u.uuid', 'u.email', 'u.first_name', 'u.last_name', 'u.avatar', 'u.date_joined', 'm.role', 't.uuid as team_uuid', 't.name as team_name'])
    .where('u.is_active', '=', true);
}
