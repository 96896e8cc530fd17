import { createHash, randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { toWorkspace, type Workspace } from './workspaces.ts';

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const TOKEN_LENGTH = 40;
export const TOKEN_ROLES = ['administrator', 'editor'];

export function generateTokenKey(): string {
  let key = '';
  for (let i = 0; i < TOKEN_LENGTH; i++) key += ALPHABET[randomInt(ALPHABET.length)];
  return key;
}

/** Tokens are stored as SHA-256 digests: a leaked database does not leak working credentials. */
export function hashTokenKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What a request authenticated with a token acts as. */
export interface TokenPrincipal {
  workspace: Workspace;
  userId: number;
  userEmail: string;
  /** The user's current role in the token's workspace, or null when no longer a member. */
  role: string | null;
}

/**
 * Finds the active token with this key whose user and workspace are active: one query, run on every
 * request. It carries no bind parameters (the key's SHA-256 hex digest and the flags are inlined as
 * literals; a hex digest cannot break out of its quotes), so `pg` sends it with the simple query
 * protocol: one message instead of Parse/Bind/Describe/Execute/Sync, which roughly halves its cost
 * on embedded PGlite (whose socket server runs every protocol message as a separate call).
 */
export async function findToken(db: Kysely<DB>, key: string): Promise<TokenPrincipal | null> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .innerJoin('orgs as o', 'o.id', 't.org_id')
    .leftJoin('org_memberships as m', (j) => j.onRef('m.org_id', '=', 't.org_id').onRef('m.user_id', '=', 't.user_id'))
    .selectAll('o')
    .select(['t.user_id', 'u.email as user_email', 'm.role'])
    .where('t.key_hash', '=', sql.lit(hashTokenKey(key)))
    .where('t.is_active', '=', sql.lit(true))
    .where('u.is_active', '=', sql.lit(true))
    .where('o.is_active', '=', sql.lit(true))
    .executeTakeFirst();
  if (!row) return null;
  return { workspace: toWorkspace(row), userId: row.user_id, userEmail: row.user_email, role: row.role ?? null };
}

export class TokenRoleError extends Error {}

/** Creates a token for a member who may hold one (administrators and editors). Returns the key. */
export async function createToken(db: Kysely<DB>, orgId: number, userId: number): Promise<string> {
  const member = await db
    .selectFrom('org_memberships')
    .select('role')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!member) throw new TokenRoleError('user is not a member of this workspace');
  if (!TOKEN_ROLES.includes(member.role)) {
    throw new TokenRoleError(`only administrators and editors can have API tokens (role is ${member.role})`);
  }
  const key = generateTokenKey();
  await db.insertInto('api_tokens').values({ key_hash: hashTokenKey(key), org_id: orgId, user_id: userId }).execute();
  return key;
}
