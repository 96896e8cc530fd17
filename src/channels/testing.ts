// Test helpers: a fake provider HTTP server on 127.0.0.1 that records every request and answers
// from a script, and a builder for incoming callback requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Channel, IncomingRequest } from './types.ts';

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  form: URLSearchParams;
  json: unknown;
}

export interface FakeReply {
  status?: number;
  body?: string | object;
  headers?: Record<string, string>;
  /** Destroy the socket without answering (network error). */
  hangUp?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

export type FakeHandler = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeProvider {
  url: string;
  requests: RecordedRequest[];
  /** Replace the responder (default: 200 "{}"). */
  reply(handler: FakeHandler | FakeReply): void;
  close(): Promise<void>;
}

export async function startFakeProvider(handler: FakeHandler | FakeReply = { status: 200, body: '{}' }): Promise<FakeProvider> {
  let current: FakeHandler = typeof handler === 'function' ? handler : () => handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      let json: unknown = undefined;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const rec: RecordedRequest = {
        method: req.method ?? 'GET', url: req.url ?? '/', path: u.pathname, query: u.searchParams,
        headers: req.headers, body, form: new URLSearchParams(body), json,
      };
      requests.push(rec);
      const reply = await current(rec);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.hangUp) {
        req.socket.destroy();
        return;
      }
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, { 'Content-Type': typeof reply.body === 'string' ? 'text/plain' : 'application/json', ...(reply.headers ?? {}) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(h) {
      current = typeof h === 'function' ? h : () => h;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export function makeChannel(partial: Partial<Channel> & Pick<Channel, 'type'>): Channel {
  return {
    uuid: '8eb23e93-5ecb-45ba-b726-3b064e0c56ab',
    address: '2020',
    country: 'RW',
    config: {},
    schemes: ['tel'],
    ...partial,
  };
}

/** An incoming request as the routes layer would build it. */
export function makeRequest(opts: {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | object;
  form?: Record<string, string>;
  host?: string;
}): IncomingRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  let raw = '';
  let parsed: unknown = undefined;
  if (opts.form) {
    raw = new URLSearchParams(opts.form).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (typeof opts.body === 'string') {
    raw = opts.body;
  } else if (opts.body !== undefined) {
    raw = JSON.stringify(opts.body);
    parsed = opts.body;
    headers['content-type'] ??= 'application/json';
  }
  const host = opts.host ?? 'rp.example.com';
  headers.host ??= host;
  const query = opts.query ?? {};
  const qs = new URLSearchParams(query).toString();
  return {
    method: opts.method ?? 'POST',
    path: opts.path,
    url: `https://${host}${opts.path}${qs ? `?${qs}` : ''}`,
    headers,
    query,
    body: { raw, parsed },
  };
}
