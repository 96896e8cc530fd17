import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authenticate } from './auth.ts';
import { rootDocs, sendEndpointDocs, wantsJson } from './docs.ts';
import { throttle } from './throttle.ts';
import { ApiError, methodNotAllowed, permissionDenied, detail } from './errors.ts';
import { registerBodyParsers, readBody } from './bodies.ts';
import type { Endpoint, Method } from './endpoint.ts';
import { endpoints } from './v2/index.ts';
import { TOKEN_ROLES } from '../models/tokens.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { channelRoutes } from '../channels/routes.ts';
import { channelRouteHandlers } from '../runtime/incoming.ts';
import type { MediaStorage } from '../media/storage.ts';
import { mediaStorageFromEnv } from '../media/config.ts';
import { registerMediaRoutes } from '../media/routes.ts';

export interface ServerOptions {
  db: Kysely<DB>;
  /** Where handlers enqueue background work (absent in tests that need none). */
  jobs?: JobQueue;
  logger?: boolean | object;
  /** Trust X-Forwarded-* headers (behind a proxy) when building absolute links. */
  trustProxy?: boolean;
  /** Where uploaded media go (default: from the environment, see media/config.ts). */
  media?: MediaStorage;
}

const apiBase = (req: FastifyRequest) => `${req.protocol}://${req.headers.host ?? 'localhost'}/api/v2`;

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  reply.code(status);
  if (body === undefined) return reply.send();
  return reply.type('application/json').send(JSON.stringify(body));
}

/** The endpoint dispatcher: authentication → permission (405 where upstream raises it) → throttle → handler. */
function dispatcher(db: Kysely<DB>, endpoint: Endpoint, jobs: JobQueue | undefined) {
  const allowed = Object.keys(endpoint.handlers) as Method[];
  const allowHeader = [...allowed, 'HEAD', 'OPTIONS'].join(', ');
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const method = req.method.toUpperCase();
    const handler = endpoint.handlers[method as Method];
    reply.header('Allow', allowHeader).header('Vary', 'Accept');
    const principal = await authenticate(db, req);
    if (principal) reply.header('X-Temba-Workspace', principal.workspace.uuid);
    if (!handler && !endpoint.fixedPermission) throw methodNotAllowed(method);
    if (!principal) throw detail(403, 'Authentication credentials were not provided.');
    if (!principal.role || !TOKEN_ROLES.includes(principal.role)) throw permissionDenied();
    if (!handler) throw methodNotAllowed(method);
    await throttle(db, principal.workspace.id, endpoint.scope ?? 'v2', principal.workspace.apiRates);
    const result = await handler({
      req,
      reply,
      db,
      jobs,
      workspace: principal.workspace,
      userId: principal.userId,
      role: principal.role,
      body: () => readBody(req.body),
    });
    return send(reply, result.status, result.body);
  };
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    exposeHeadRoutes: false,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 10 * 1024 * 1024,
  });
  registerBodyParsers(app);

  app.setErrorHandler((err: any, req, reply) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
      return send(reply, err.status, err.body);
    }
    if (err?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 413, { detail: 'Request body is too large.' });
    // PostgreSQL refuses NUL characters in text (22021); any parameter that reaches SQL with one is
    // bad input, never a server error
    if (err?.code === '22021') return send(reply, 400, { detail: 'Null characters are not allowed.' });
    if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, err.statusCode, { detail: err.message });
    }
    req.log.error(err); if (process.env.DEBUG_500) console.error(err);
    reply.code(500).type('text/plain').send('Server Error. Site administrators have been notified.');
  });
  app.setNotFoundHandler((_req, reply) => send(reply, 404, { detail: 'Not found.' }));

  for (const endpoint of endpoints) {
    const handler = dispatcher(opts.db, endpoint, opts.jobs);
    for (const name of [endpoint.name, ...(endpoint.aliases ?? [])]) {
      app.route({ method: [...ALL_METHODS], url: `/api/v2/${name}.json`, handler });
    }
  }

  // Docs mode: the same URL without `.json` documents the endpoint; no query runs, anonymous is
  // fine, but credentials that are sent must still be valid.
  for (const endpoint of endpoints) {
    for (const name of [endpoint.name, ...(endpoint.aliases ?? [])]) {
      app.route({
        method: [...ALL_METHODS],
        url: `/api/v2/${name}`,
        handler: async (req, reply) => {
          const principal = await authenticate(opts.db, req);
          if (principal) reply.header('X-Temba-Workspace', principal.workspace.uuid);
          return sendEndpointDocs(req, reply, name, endpoint, apiBase(req));
        },
      });
    }
  }

  // The root listing is public: endpoint names mapped to absolute URLs without the suffix.
  const listed = endpoints.filter((e) => e.listed !== false).sort((a, b) => a.name.localeCompare(b.name));
  const rootListing = (req: FastifyRequest) => Object.fromEntries(listed.map((e) => [e.name, `${apiBase(req)}/${e.name}`]));
  app.get('/api/v2/.json', async (req, reply) => send(reply, 200, rootListing(req)));
  // the root's docs page (or the same listing, for a client that asks for JSON)
  app.get('/api/v2/', async (req, reply) => {
    reply.header('Vary', 'Accept');
    if (wantsJson(req.headers.accept)) return send(reply, 200, rootListing(req));
    return reply.type('text/html; charset=utf-8').send(rootDocs(listed, apiBase(req)));
  });
  app.get('/api/', async (_req, reply) => reply.redirect('/api/v2/', 302));
  // Channel callbacks (/c/<type>/<uuid>/<action>): incoming messages, status updates, channel events.
  await app.register(channelRoutes(channelRouteHandlers(opts.db, opts.jobs)));
  // Uploaded media, served back at the URLs that attachments carry (/media/<org>/<uuid>/<name>).
  registerMediaRoutes(app, opts.db, opts.media ?? mediaStorageFromEnv());
  return app;
}
