// The one outgoing HTTP client used by every channel type. It never throws for provider trouble:
// network errors, timeouts and oversized responses come back as a response with `status: 0` and an
// `error`, so that send handlers can map them to "errored + retryable" in one place. Every request
// is recorded as an HttpLog (for the channel log), with secrets redacted and long texts truncated.

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
const DEFAULTS = { timeoutMs: 30_000, maxResponseBytes: 1024 * 1024, maxLogChars: 10_000, userAgent: 'rapidpro-ts' };

export class HttpClient {
  readonly config: Required<Omit<HttpConfig, 'overrides'>> & { overrides: Record<string, string> };

  constructor(config: HttpConfig = {}) {
    this.config = {
      timeoutMs: config.timeoutMs ?? DEFAULTS.timeoutMs,
      maxResponseBytes: config.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      maxLogChars: config.maxLogChars ?? DEFAULTS.maxLogChars,
      userAgent: config.userAgent ?? DEFAULTS.userAgent,
      overrides: { ...(config.overrides ?? {}) },
    };
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
    const createdOn = new Date().toISOString();
    const target = this.resolve(req.url);
    const redact = (req.redact ?? []).filter((v) => typeof v === 'string' && v.length > 0);
    const requestText = renderRequest(method, req.url, headers, hasBody ? req.body! : '');

    let status = 0;
    let resHeaders: Record<string, string> = {};
    let body = '';
    let error: string | undefined;
    let statusLine = '';
    try {
      const res = await fetch(target, {
        method,
        headers,
        body: hasBody ? req.body : undefined,
        signal: AbortSignal.timeout(this.config.timeoutMs),
        redirect: 'follow',
      });
      resHeaders = Object.fromEntries(res.headers.entries());
      statusLine = `HTTP/1.1 ${res.status} ${res.statusText}`;
      const read = await readLimited(res, this.config.maxResponseBytes);
      body = read.text;
      if (read.tooLarge) error = `response body larger than ${this.config.maxResponseBytes} bytes`;
      else status = res.status;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') error = `request timed out after ${this.config.timeoutMs} ms`;
      else error = `request failed: ${err.cause?.code ?? err.cause?.message ?? err.message}`;
    }
    const elapsedMs = Math.round(performance.now() - started);
    const responseText = statusLine ? renderResponse(statusLine, resHeaders, body) : '';
    const log: HttpLog = {
      method,
      url: this.scrub(req.url, redact),
      status,
      elapsedMs,
      request: this.scrub(requestText, redact),
      response: this.scrub(responseText, redact),
      createdOn,
    };
    if (error) log.error = this.scrub(error, redact);
    return { status, headers: resHeaders, body, error, log };
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

async function readLimited(res: Response, max: number): Promise<{ text: string; tooLarge: boolean }> {
  if (!res.body) return { text: '', tooLarge: false };
  const declared = Number(res.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > max) {
    await res.body.cancel().catch(() => {});
    return { text: '', tooLarge: true };
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      return { text: new TextDecoder().decode(concat(chunks)), tooLarge: true };
    }
    chunks.push(value);
  }
  return { text: new TextDecoder().decode(concat(chunks)), tooLarge: false };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
