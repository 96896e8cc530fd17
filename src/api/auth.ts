import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { findToken, type TokenPrincipal } from '../models/tokens.ts';
import { detail } from './errors.ts';

const invalid = (msg: string) => detail(403, msg);

/**
 * Authenticates a request the way RapidPro's API does: `Token <key>` or
 * `Basic base64(email:key)`; anything else leaves the request anonymous (null). Failures are 403s
 * with DRF's exact texts (never 401: there is no WWW-Authenticate challenge).
 */
export async function authenticate(db: Kysely<DB>, req: FastifyRequest): Promise<TokenPrincipal | null> {
  const header = req.headers.authorization;
  if (!header) return null;
  const parts = header.split(/\s+/).filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const keyword = parts[0].toLowerCase();
  if (keyword === 'token') {
    if (parts.length === 1) throw invalid('Invalid token header. No credentials provided.');
    if (parts.length > 2) throw invalid('Invalid token header. Token string should not contain spaces.');
    const principal = await findToken(db, parts[1]);
    if (!principal) throw invalid('Invalid token');
    return principal;
  }
  if (keyword === 'basic') {
    if (parts.length === 1) throw invalid('Invalid basic header. No credentials provided.');
    if (parts.length > 2) throw invalid('Invalid basic header. Credentials string should not contain spaces.');
    let decoded: string;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(parts[1]) || parts[1].length % 4 !== 0) {
      throw invalid('Invalid basic header. Credentials not correctly base64 encoded.');
    }
    decoded = Buffer.from(parts[1], 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 0) throw invalid('Invalid basic header. Credentials not correctly base64 encoded.');
    const email = decoded.slice(0, sep);
    const key = decoded.slice(sep + 1);
    const principal = await findToken(db, key);
    // The username must equal the token owner's email exactly (case-sensitive), as upstream.
    if (!principal || principal.userEmail !== email) throw invalid('Invalid token or email');
    return principal;
  }
  return null;
}
