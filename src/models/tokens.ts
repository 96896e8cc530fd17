import { createHash, randomInt } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
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

const FIND_TOKEN_SQL = `select o.*, t.user_id, u.email as user_email, m.role
  from api_tokens t
  join users u on u.id = t.user_id
  join orgs o on o.id = t.org_id
  left join org_memberships m on m.org_id = t.org_id and m.user_id = t.user_id
  where t.key_hash = $1 and t.is_active and u.is_active and o.is_active`;

/** Finds the active token with this key whose user and workspace are active: one query. */
export async function findToken(db: Kysely<DB>, key: string): Promise<TokenPrincipal | null> {
  const hash = hashTokenKey(key);
  // parameterised, so the pool prepares it once per connection (src/db/statements.ts)
  const row = (await db.executeQuery<any>(CompiledQuery.raw(FIND_TOKEN_SQL, [hash]))).rows[0];
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
