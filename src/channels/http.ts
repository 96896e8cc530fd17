// The one outgoing HTTP client used by every channel type. It never throws for provider trouble:
// network errors, timeouts and oversized responses come back as a response with `status: 0` and an
// `error`, so that send handlers can map them to "errored + retryable" in one place. Every request
// is recorded as an HttpLog (for the channel log), with secrets redacted and long texts truncated.
// It uses node:http(s) with keep-alive agents: on Node 20 that is 3-4x faster than fetch.

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';

export interface HttpConfig {
  /** Base-URL rewrites: a request whose URL starts with a key is sent to the value instead, e.g.
   *  `{ 'https://api.telegram.org': 'http://127.0.0.1:1234' }`. Logs keep the logical URL. */
  overrides?: Record<string, string>;
  /** Per-request timeout (default 30 s). */
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

  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(config: HttpConfig = {}) {
    this.config = {
      timeoutMs: config.timeoutMs ?? DEFAULTS.timeoutMs,
      maxResponseBytes: config.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      maxLogChars: config.maxLogChars ?? DEFAULTS.maxLogChars,
      userAgent: config.userAgent ?? DEFAULTS.userAgent,
      overrides: { ...(config.overrides ?? {}) },
    };
    const agentOptions = { keepAlive: true, maxSockets: config.maxSocketsPerHost ?? 64, maxFreeSockets: 64 };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent(agentOptions);
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
    const redact = (req.redact ?? []).filter((v) => typeof v === 'string' && v.length > 0);
    const log = lazyLog({
      method,
      url: () => this.scrub(req.url, redact),
      status: out.status,
      elapsedMs,
      request: () => this.scrub(renderRequest(method, req.url, headers, hasBody ? req.body! : ''), redact),
      response: () => this.scrub(out.statusLine ? renderResponse(out.statusLine, out.headers, out.body) : '', redact),
      createdOn: () => new Date(createdAt).toISOString(),
      ...(out.error !== undefined && { error: () => this.scrub(out.error!, redact) }),
    });
    return { status: out.status, headers: out.headers, body: out.body, error: out.error, log };
  }

  /** The request options of a URL, parsed once per URL (a channel sends every message to the same one). */
  private targetOf(target: string): { isHttps: boolean; options: ReturnType<typeof urlToHttpOptions>; url: URL } | string {
    const known = this.targets.get(target);
    if (known) return known;
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return `request failed: invalid URL ${target}`;
    }
    const isHttps = url.protocol === 'https:';
    if (!isHttps && url.protocol !== 'http:') return `request failed: unsupported protocol ${url.protocol}`;
    if (this.targets.size >= 1000) this.targets.clear();
    const parsed = { isHttps, options: urlToHttpOptions(url), url };
    this.targets.set(target, parsed);
    return parsed;
  }
  private readonly targets = new Map<string, { isHttps: boolean; options: ReturnType<typeof urlToHttpOptions>; url: URL }>();

  /** One request over node:http(s) with keep-alive agents (much faster than fetch on Node 20). */
  private exchange(method: string, target: string, headers: Record<string, string>, body: Buffer | null, redirects: number): Promise<Exchange> {
    return new Promise((resolve) => {
      const parsed = this.targetOf(target);
      if (typeof parsed === 'string') {
        resolve({ status: 0, headers: {}, body: '', statusLine: '', error: parsed });
        return;
      }
      const { isHttps, url } = parsed;
      const h: Record<string, string> = { ...headers };
      if (body) h['Content-Length'] = String(body.byteLength);
      let settled = false;
      const finish = (x: Exchange) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(x);
      };
      const fail = (error: string, partial?: Partial<Exchange>) =>
        finish({ status: 0, headers: partial?.headers ?? {}, body: partial?.body ?? '', statusLine: partial?.statusLine ?? '', error });
      const r = (isHttps ? httpsRequest : httpRequest)(
        { ...parsed.options, method, headers: h, agent: isHttps ? this.httpsAgent : this.httpAgent },
        (res) => {
          const status = res.statusCode ?? 0;
          const resHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) resHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
          const statusLine = `HTTP/${res.httpVersion} ${status} ${res.statusMessage ?? ''}`.trimEnd();
          const location = res.headers.location;
          if (location && [301, 302, 303, 307, 308].includes(status) && redirects > 0) {
            res.resume();
            const keep = status === 307 || status === 308;
            const nextHeaders = { ...headers };
            if (!keep) for (const k of Object.keys(nextHeaders)) if (k.toLowerCase() === 'content-type') delete nextHeaders[k];
            clearTimeout(timer);
            settled = true;
            void this.exchange(keep ? method : method === 'HEAD' ? 'HEAD' : 'GET', new URL(location, url).toString(), nextHeaders, keep ? body : null, redirects - 1).then(resolve);
            return;
          }
          const declared = Number(res.headers['content-length'] ?? 'NaN');
          if (Number.isFinite(declared) && declared > this.config.maxResponseBytes) {
            res.destroy();
            fail(`response body larger than ${this.config.maxResponseBytes} bytes`, { headers: resHeaders, statusLine });
            return;
          }
          const chunks: Buffer[] = [];
          let total = 0;
          res.on('data', (c: Buffer) => {
            total += c.byteLength;
            if (total > this.config.maxResponseBytes) {
              res.destroy();
              fail(`response body larger than ${this.config.maxResponseBytes} bytes`, { headers: resHeaders, statusLine, body: Buffer.concat(chunks).toString('utf8') });
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => finish({ status, headers: resHeaders, body: Buffer.concat(chunks).toString('utf8'), statusLine }));
          res.on('error', (e) => fail(`request failed: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { headers: resHeaders, statusLine }));
        },
      );
      const timer = setTimeout(() => {
        r.destroy();
        fail(`request timed out after ${this.config.timeoutMs} ms`);
      }, this.config.timeoutMs);
      r.on('error', (e) => fail(`request failed: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      if (body) r.end(body);
      else r.end();
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private scrub(text: string, redact: string[]): string {
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
 * An HttpLog whose texts are computed on first read and then kept. They are own enumerable
 * properties, so the log spreads, serialises and compares like a plain object.
 */
function lazyLog(fields: Record<string, string | number | (() => string)>): HttpLog {
  const log = {} as HttpLog;
  for (const [key, compute] of Object.entries(fields)) {
    if (typeof compute !== 'function') {
      (log as unknown as Record<string, unknown>)[key] = compute;
      continue;
    }
    let value: string | undefined;
    Object.defineProperty(log, key, {
      enumerable: true,
      configurable: true,
      get: () => (value ??= compute()),
      set: (v: string) => { value = v; },
    });
  }
  return log;
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
