// The one outgoing HTTP client used by every channel type. It never throws for provider trouble:
// network errors, timeouts and oversized responses come back as a response with `status: 0` and an
// `error`, so that send handlers can map them to "errored + retryable" in one place. Every request
// is recorded as an HttpLog (for the channel log), with secrets redacted and long texts truncated.
// It uses undici's dispatcher API with keep-alive connections: on Node 20 that is 3-4x faster than
// fetch, and a request costs about half the CPU of node:http's (measured against a local provider:
// 83 vs 151-172 µs per request on a loaded machine) — per message, the biggest part of sending.

import { STATUS_CODES } from 'node:http';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';

export interface HttpConfig {
  /** Base-URL rewrites: a request whose URL starts with a key is sent to the value instead, e.g.
   *  `{ 'https://api.telegram.org': 'http://127.0.0.1:1234' }`. Logs keep the logical URL. */
  overrides?: Record<string, string>;
  /** Longest wait for a connection, for the answer's headers and for each piece of its body (default 30 s). */
  timeoutMs?: number;
  /** Largest response body read (default 1 MiB); a larger one is an error. */
  maxResponseBytes?: number;
  /** Longest request/response text kept in a log entry (default 10 000 characters). */
  maxLogChars?: number;
  userAgent?: string;
  /** Concurrent connections per provider host (default 64). */
  maxSocketsPerHost?: number;
}

export interface HttpLog {
  method: string;
  url: string;
  status: number;
  elapsedMs: number;
  request: string;
  response: string;
  error?: string;
  createdOn: string;
}

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Values (tokens, secrets) replaced by asterisks in the log. */
  redact?: string[];
}

export interface HttpResponse {
  /** HTTP status, or 0 when no response was received (network error, timeout, too large). */
  status: number;
  headers: Record<string, string>;
  body: string;
  error?: string;
  log: HttpLog;
}

export const REDACTED = '**********';
const MAX_REDIRECTS = 5;

interface Target {
  origin: string;
  path: string;
  url: URL;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** The code of a network error (ECONNREFUSED, UND_ERR_SOCKET...), else its message. */
function errorCode(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string }; message?: string };
  if (err instanceof undiciErrors.UndiciError && err.cause?.code && !TIMEOUTS.has(err.code ?? '')) return err.cause.code;
  return err?.code ?? err?.cause?.code ?? err?.message ?? String(e);
}

interface Exchange {
  status: number;
  headers: Record<string, string>;
  body: string;
  statusLine: string;
  error?: string;
}
const DEFAULTS = { timeoutMs: 30_000, maxResponseBytes: 1024 * 1024, maxLogChars: 10_000, userAgent: 'rapidpro-ts' };

export class HttpClient {
  readonly config: Required<Omit<HttpConfig, 'overrides' | 'maxSocketsPerHost'>> & { overrides: Record<string, string> };

  private readonly agent: Agent;

  constructor(config: HttpConfig = {}) {
    this.config = {
      timeoutMs: config.timeoutMs ?? DEFAULTS.timeoutMs,
      maxResponseBytes: config.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      maxLogChars: config.maxLogChars ?? DEFAULTS.maxLogChars,
      userAgent: config.userAgent ?? DEFAULTS.userAgent,
      overrides: { ...(config.overrides ?? {}) },
    };
    this.agent = new Agent({ connections: config.maxSocketsPerHost ?? 64, pipelining: 1, connect: { timeout: this.config.timeoutMs } });
  }

  /** Where a logical URL is really sent: the longest matching override prefix wins. */
  resolve(url: string): string {
    let best = '';
    for (const prefix of Object.keys(this.config.overrides)) {
      if (prefix.length <= best.length || !url.startsWith(prefix)) continue;
      const next = url.charAt(prefix.length);
      if (prefix.endsWith('/') || next === '' || next === '/' || next === '?' || next === '#') best = prefix;
    }
    if (!best) return url;
    const target = this.config.overrides[best].replace(/\/+$/, '');
    const rest = url.slice(best.length);
    return target + (best.endsWith('/') && !rest.startsWith('/') ? '/' : '') + rest;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { 'User-Agent': this.config.userAgent, ...(req.headers ?? {}) };
    const hasBody = req.body !== undefined && method !== 'GET' && method !== 'HEAD';
    const started = performance.now();
    const createdAt = Date.now();
    const out = await this.exchange(method, this.resolve(req.url), headers, hasBody ? Buffer.from(req.body!, 'utf8') : null, MAX_REDIRECTS);
    const elapsedMs = Math.round(performance.now() - started);
    // The log's texts are rendered (and secrets redacted) only when someone reads them: a sender
    // that keeps no channel log would otherwise render and scrub every request and response.
    const log = new LazyHttpLog(this, method, req, headers, hasBody, out, elapsedMs, createdAt);
    return { status: out.status, headers: out.headers, body: out.body, error: out.error, log };
  }

  /** Origin and path of a URL, parsed once per URL (a channel sends every message to the same one). */
  private targetOf(target: string): Target | string {
    const known = this.targets.get(target);
    if (known) return known;
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return `request failed: invalid URL ${target}`;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `request failed: unsupported protocol ${url.protocol}`;
    if (this.targets.size >= 1000) this.targets.clear();
    const parsed = { origin: url.origin, path: url.pathname + url.search, url };
    this.targets.set(target, parsed);
    return parsed;
  }
  private readonly targets = new Map<string, Target>();

  /** One request (and the redirects it is answered with); never throws. */
  private async exchange(method: string, target: string, headers: Record<string, string>, body: Buffer | null, redirects: number): Promise<Exchange> {
    const parsed = this.targetOf(target);
    if (typeof parsed === 'string') return { status: 0, headers: {}, body: '', statusLine: '', error: parsed };
    let res: Dispatcher.ResponseData | undefined;
    let resHeaders: Record<string, string> = {};
    let statusLine = '';
    try {
      // the timeout bounds each wait (connecting, the answer's headers, each piece of its body) with
      // undici's own timers: an AbortSignal per request cost about a tenth of a send's CPU
      res = await this.agent.request({
        origin: parsed.origin, path: parsed.path, method: method as Dispatcher.HttpMethod, headers, body,
        headersTimeout: this.config.timeoutMs, bodyTimeout: this.config.timeoutMs,
      });
      const status = res.statusCode;
      resHeaders = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) resHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
      statusLine = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
      const location = resHeaders.location;
      if (location && [301, 302, 303, 307, 308].includes(status) && redirects > 0) {
        await res.body.dump();
        const keep = status === 307 || status === 308;
        const nextHeaders = { ...headers };
        if (!keep) for (const k of Object.keys(nextHeaders)) if (k.toLowerCase() === 'content-type') delete nextHeaders[k];
        return this.exchange(keep ? method : method === 'HEAD' ? 'HEAD' : 'GET', new URL(location, parsed.url).toString(), nextHeaders, keep ? body : null, redirects - 1);
      }
      const max = this.config.maxResponseBytes;
      const declared = Number(resHeaders['content-length'] ?? 'NaN');
      if (Number.isFinite(declared) && declared > max) {
        res.body.destroy();
        return { status: 0, headers: resHeaders, body: '', statusLine, error: `response body larger than ${max} bytes` };
      }
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const c of res.body as AsyncIterable<Buffer>) {
        total += c.byteLength;
        if (total > max) {
          res.body.destroy();
          return { status: 0, headers: resHeaders, body: Buffer.concat(chunks).toString('utf8'), statusLine, error: `response body larger than ${max} bytes` };
        }
        chunks.push(c);
      }
      return { status, headers: resHeaders, body: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'), statusLine };
    } catch (e) {
      res?.body.destroy();
      const code = errorCode(e);
      if (TIMEOUTS.has(code)) return { status: 0, headers: resHeaders, body: '', statusLine, error: `request timed out after ${this.config.timeoutMs} ms` };
      return { status: 0, headers: resHeaders, body: '', statusLine, error: `request failed: ${code}` };
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    void this.agent.close().catch(() => {});
  }

  /** The text with the secrets replaced and cut to the log length. */
  scrub(text: string, redact: string[]): string {
    let out = text;
    for (const secret of redact) {
      out = out.split(secret).join(REDACTED);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join(REDACTED);
    }
    return truncate(out, this.config.maxLogChars);
  }
}

/**
 * An HttpLog whose texts are rendered and redacted on first read, then kept (no closure per
 * request: tsx wraps each in a naming helper). Read by field or serialised (toJSON).
 */
class LazyHttpLog implements HttpLog {
  private texts: Partial<Record<'url' | 'request' | 'response' | 'createdOn' | 'error', string>> = {};
  private readonly redact: string[];

  constructor(
    private readonly client: HttpClient,
    readonly method: string,
    private readonly req: HttpRequest,
    private readonly headers: Record<string, string>,
    private readonly hasBody: boolean,
    private readonly out: Exchange,
    readonly elapsedMs: number,
    private readonly createdAt: number,
  ) {
    this.redact = (req.redact ?? []).filter((v) => typeof v === 'string' && v.length > 0);
  }

  get status(): number {
    return this.out.status;
  }
  get url(): string {
    return (this.texts.url ??= this.client.scrub(this.req.url, this.redact));
  }
  get request(): string {
    return (this.texts.request ??= this.client.scrub(renderRequest(this.method, this.req.url, this.headers, this.hasBody ? this.req.body! : ''), this.redact));
  }
  get response(): string {
    return (this.texts.response ??= this.client.scrub(this.out.statusLine ? renderResponse(this.out.statusLine, this.out.headers, this.out.body) : '', this.redact));
  }
  get createdOn(): string {
    return (this.texts.createdOn ??= new Date(this.createdAt).toISOString());
  }
  get error(): string | undefined {
    return this.out.error === undefined ? undefined : (this.texts.error ??= this.client.scrub(this.out.error, this.redact));
  }

  toJSON(): HttpLog {
    const { method, url, status, elapsedMs, request, response, createdOn, error } = this;
    return { method, url, status, elapsedMs, request, response, createdOn, ...(error !== undefined && { error }) };
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n...(truncated, ${text.length - max} more characters)`;
}

function renderRequest(method: string, url: string, headers: Record<string, string>, body: string): string {
  let path = url;
  let host = '';
  try {
    const u = new URL(url);
    path = u.pathname + u.search;
    host = u.host;
  } catch {
    /* keep the raw URL */
  }
  const lines = [`${method} ${path} HTTP/1.1`];
  if (host) lines.push(`Host: ${host}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function renderResponse(statusLine: string, headers: Record<string, string>, body: string): string {
  const lines = [statusLine, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
