import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest } from './errors.ts';
import { paramGiven, param } from './params.ts';
import type { Workspace } from '../models/workspaces.ts';

/** Flagged and suspended workspaces may not write anything (checked before field validation). */
export function checkWorkspaceWritable(ws: Workspace): void {
  const state = ws.isSuspended ? 'suspended' : ws.isFlagged ? 'flagged' : null;
  if (state) {
    throw new ApiError(400, {
      non_field_errors: [
        `Sorry, your workspace is currently ${state}. To re-enable starting flows and sending messages, please contact support.`,
      ],
    });
  }
}

/**
 * The write lookup of an endpoint (`?uuid=`, `?key=`...): at most one of its params. Returns the
 * param used and its raw value, or null for a create.
 */
export function writeLookup(req: FastifyRequest, names: string[]): { name: string; value: string } | null {
  const given = names.filter((n) => paramGiven(req, n));
  if (given.length > 1) {
    throw badRequest(`URL can only contain one of the following parameters: ${[...names].sort().join(', ')}`);
  }
  return given.length ? { name: given[0], value: param(req, given[0])! } : null;
}

/** DELETE needs a lookup param. */
export function requireDeleteLookup(req: FastifyRequest, names: string[]): { name: string; value: string } {
  const lookup = writeLookup(req, names);
  if (!lookup) throw badRequest(`URL must contain one of the following parameters: ${[...names].sort().join(', ')}`);
  return lookup;
}
