import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from '../models/workspaces.ts';
import type { JobQueue } from '../jobs/queue.ts';

export type Method = 'GET' | 'POST' | 'DELETE';

/** Everything a handler needs: the request, the database, and who is asking for which workspace. */
export interface ApiContext {
  req: FastifyRequest;
  reply: FastifyReply;
  db: Kysely<DB>;
  jobs?: JobQueue;
  workspace: Workspace;
  userId: number;
  role: string;
  /** The parsed body; reading it raises the deferred 415 / JSON parse errors (as DRF does). */
  body(): unknown;
}

/** A handler returns the status and JSON body (undefined for an empty 204). */
export interface ApiResult {
  status: number;
  body?: unknown;
}

export type Handler = (ctx: ApiContext) => Promise<ApiResult>;

/**
 * One REST resource: its URL name, throttle scope and a handler per supported method. Endpoints
 * whose permission is a fixed string upstream (bulk actions, workspace) answer 405 only after
 * authentication; the model-backed ones answer 405 first, even to anonymous requests.
 */
export interface Endpoint {
  name: string;
  aliases?: string[];
  scope?: string;
  fixedPermission?: boolean;
  /** Listed in the /api/v2/.json root. */
  listed?: boolean;
  handlers: Partial<Record<Method, Handler>>;
}
