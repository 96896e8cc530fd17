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
