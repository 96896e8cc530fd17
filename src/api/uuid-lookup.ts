import type { FastifyRequest } from 'fastify';
import { badRequest } from './errors.ts';
import { normalizeUuid, paramAll } from './params.ts';

/**
 * The `?uuid=` write lookup of groups, labels, topics (and later campaigns...). As upstream, the
 * parameter counts as given as soon as it is in the URL, even empty, and its (last) value must be a
 * UUID: `?uuid=` or `?uuid=xyz` is a 400 `Param 'uuid': xyz is not a valid UUID.` rather than a
 * silent create. Returns the canonical UUID, or null when the parameter is absent (a create).
 */
export function uuidWriteLookup(req: FastifyRequest, name = 'uuid'): string | null {
  const all = paramAll(req, name);
  if (!all.length) return null;
  const raw = all[all.length - 1];
  const uuid = normalizeUuid(raw);
  if (!uuid) throw badRequest(`Param '${name}': ${raw} is not a valid UUID.`);
  return uuid;
}

/** DELETE must name its object: no `?uuid=` → 400 `URL must contain one of the following parameters: uuid`. */
export function requireUuidDeleteLookup(req: FastifyRequest, name = 'uuid'): string {
  const uuid = uuidWriteLookup(req, name);
  if (uuid === null) throw badRequest(`URL must contain one of the following parameters: ${name}`);
  return uuid;
}

/** PostgreSQL's unique_violation, raised when a concurrent write took the same name first. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
