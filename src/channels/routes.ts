// The /c/... callback routes as a Fastify plugin factory. The runtime supplies the channel lookups
// and what to do with the events (store messages, apply statuses, record channel events); this file
// only routes, reads the raw body, calls the type's receive handler and answers.
//
//   app.register(channelRoutes({ lookupChannel, lookupChannelByAddress, onEvents, http, settings }))
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { HttpClient, type HttpLog } from './http.ts';
import { getChannelType } from './index.ts';
import { requestError } from './support.ts';
import {
  routeForReceive, type Channel, type ChannelError, type ChannelSettings, type ChannelType, type IncomingEvent,
  type IncomingRequest, type ReceiveResponse,
} from './types.ts';

export interface ReceiveLog {
  typeCode: string;
  action: string;
  request: IncomingRequest;
  response: ReceiveResponse;
  /** Outgoing HTTP made while receiving (media resolution). */
  httpLogs: HttpLog[];
  errors: ChannelError[];
  elapsedMs: number;
}

export interface ChannelRoutesOptions {
  /** The active channel with this UUID, or null. */
  lookupChannel(uuid: string): Promise<Channel | null>;
  /** For address-routed types (WAC): the active channel of this type with this address, or null. */
  lookupChannelByAddress?(typeCode: string, address: string): Promise<Channel | null>;
  /** Persist what a callback carried. Throwing answers 500 so the provider retries. */
  onEvents(channel: Channel, events: IncomingEvent[], log: ReceiveLog): Promise<void>;
  /** Called for every handled callback (for the channel log), after onEvents. */
  onLog?(channel: Channel | null, log: ReceiveLog): Promise<void> | void;
  http?: HttpClient;
  settings?: ChannelSettings;
}

let sharedClient: HttpClient | undefined;
function defaultClient(): HttpClient {
  sharedClient ??= new HttpClient();
  return sharedClient;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;

export interface DispatchResult {
  response: ReceiveResponse;
  channel: Channel | null;
  events: IncomingEvent[];
}

/** Routes one callback request to its channel type (no Fastify involved). */
export async function dispatchReceive(opts: ChannelRoutesOptions, request: IncomingRequest): Promise<DispatchResult> {
  const started = performance.now();
  const miss = (message: string, status = 404): DispatchResult => ({ response: requestError(message, status).response, channel: null, events: [] });
  const route = routeForReceive(request.path);
  if (!route) return miss('not a channel callback URL');
  const type: ChannelType | undefined = getChannelType(route.typeCode);
  if (!type) return miss(`unknown channel type: ${route.typeCode}`);
  const action = type.routes.find((r) => r.action === route.action);
  if (!action) return miss(`unknown action '${route.action}' for channel type ${type.code}`);
  const method = request.method.toUpperCase();
  if (!action.methods.includes(method)) return miss(`method ${method} not allowed`, 405);

  let channel: Channel | null = null;
  if (type.routing === 'uuid') {
    if (!route.channelUuid) return miss('channel UUID missing from URL');
    channel = await opts.lookupChannel(route.channelUuid);
    if (!channel || channel.type.toUpperCase() !== type.code) return miss(`channel not found for type ${type.code} and UUID ${route.channelUuid}`);
  } else {
    if (route.channelUuid) return miss(`channel type ${type.code} is not routed by UUID`);
    const address = type.channelAddress?.(request) ?? null;
    if (address) {
      channel = (await opts.lookupChannelByAddress?.(type.code, address)) ?? null;
      if (!channel || channel.type.toUpperCase() !== type.code) return miss(`channel not found for type ${type.code} and address ${address}`);
    } else if (method !== 'GET') {
      // nothing to route by: let the type answer (it reports what is wrong with the payload)
      channel = null;
    }
  }

  let result;
  try {
    result = await type.receive({ channel, action: route.action, request, http: opts.http ?? defaultClient(), settings: opts.settings });
  } catch (e) {
    // a bug in a handler: answer 500 in courier's shape so the provider retries
    return { response: requestError(`internal error: ${(e as Error).message}`, 500).response, channel, events: [] };
  }
  const log: ReceiveLog = {
    typeCode: type.code, action: route.action, request, response: result.response, httpLogs: result.logs, errors: result.errors,
    elapsedMs: Math.round(performance.now() - started),
  };
  if (result.events.length) {
    if (!channel) return miss('events without a channel', 400);
    try {
      await opts.onEvents(channel, result.events, log);
    } catch (e) {
      const failed = requestError(`unable to store events: ${(e as Error).message}`, 500).response;
      log.response = failed;
      await opts.onLog?.(channel, log);
      return { response: failed, channel, events: [] };
    }
  }
  await opts.onLog?.(channel, log);
  return { response: result.response, channel, events: result.events };
}

/** Builds our IncomingRequest from a Fastify request whose body was captured as a raw string. */
export function toIncomingRequest(req: FastifyRequest): IncomingRequest {
  const rawUrl = req.raw.url ?? req.url;
  const u = new URL(rawUrl, 'http://localhost');
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) if (!(k in query)) query[k] = v;
  const proto = (headers['x-forwarded-proto'] ?? 'https').split(',')[0].trim();
  const raw = typeof req.body === 'string' ? req.body : '';
  return {
    method: req.method,
    path: u.pathname,
    url: `${proto}://${headers.host ?? 'localhost'}${rawUrl}`,
    headers,
    query,
    body: { raw },
  };
}

export function channelRoutes(opts: ChannelRoutesOptions): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // encapsulated: these parsers only apply to the /c/ routes
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const handler = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
      const { response } = await dispatchReceive(opts, toIncomingRequest(req));
      return reply.code(response.status).type(response.contentType).send(response.body);
    };
    app.route({ method: [...METHODS], url: '/c/:type/:uuid/:action', handler });
    app.route({ method: [...METHODS], url: '/c/:type/:action', handler });
  };
}
