import { STATUS_CODES } from 'node:http';
import type { AirtimeService, EmailService, HTTPRequest, HTTPResult, LLMService, WebhookService } from '../services.ts';

/** A canned HTTP response as upstream test data writes them. */
export interface MockResponse { status: number; body?: string; body_repeat?: number; headers?: Record<string, string> }

/**
 * Webhook service answering from canned responses, producing request/response dumps in the
 * layout of Go's httputil (the format upstream expectations contain).
 */
export class MockWebhookService implements WebhookService {
  private readonly mocks: Map<string, MockResponse[]>;

  constructor(
    mocks: Record<string, MockResponse[]>,
    private readonly maxResponseBytes: number,
    private readonly now: () => Date,
    private readonly userAgent = 'goflow-testing',
  ) {
    this.mocks = new Map(Object.entries(mocks).map(([k, v]) => [k, [...v]]));
  }

  unused(): string[] {
    return [...this.mocks].filter(([, v]) => v.length > 0).map(([k]) => k);
  }

  async call(req: HTTPRequest): Promise<HTTPResult> {
    const u = new URL(req.url);
    const lines = [`${req.method} ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`, `User-Agent: ${this.userAgent}`];
    const bodyBytes = Buffer.byteLength(req.body);
    if (bodyBytes > 0 || ['POST', 'PUT', 'PATCH'].includes(req.method)) lines.push(`Content-Length: ${bodyBytes}`);
    for (const [k, v] of [...req.headers].sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`${k}: ${v}`);
    lines.push('Accept-Encoding: gzip');
    const request = `${lines.join('\r\n')}\r\n\r\n${req.body}`;

    const queue = this.mocks.get(req.url);
    const mock = queue?.shift();
    // a real client times the exchange: two clock reads, as upstream's HTTP tracing does
    const started = this.now().getTime();
    const base = { request, elapsedMs: this.now().getTime() - started, retries: 0 };
    if (!mock || mock.status === 0) {
      return { ...base, response: '', sizes: { request: Buffer.byteLength(request), response: 0 }, ...(mock ? {} : { error: 'connection' as const, errorText: `unmocked request to ${req.url}` }) };
    }
    const body = (mock.body ?? '').repeat(mock.body_repeat ?? 1);
    const headerLines = [`Content-Length: ${Buffer.byteLength(body)}`, ...Object.entries(mock.headers ?? {}).map(([k, v]) => `${k}: ${v}`)];
    const head = `HTTP/1.0 ${mock.status} ${STATUS_CODES[mock.status] ?? ''}\r\n${headerLines.join('\r\n')}\r\n\r\n`;
    const headers: Record<string, string> = { ...(mock.headers ?? {}) };
    if (Buffer.byteLength(body) > this.maxResponseBytes) {
      return {
        ...base, statusCode: mock.status, responseHeaders: headers, response: head, error: 'response_size',
        sizes: { request: Buffer.byteLength(request), response: Buffer.byteLength(head) + Buffer.byteLength(body) },
      };
    }
    const response = head + body;
    return {
      ...base, statusCode: mock.status, responseHeaders: headers, responseBody: body, response,
      sizes: { request: Buffer.byteLength(request), response: Buffer.byteLength(response) },
    };
  }
}

export class MockEmailService implements EmailService {
  constructor(private readonly error = '') {}
  async send(): Promise<void> {
    if (this.error) throw new Error(this.error);
  }
}

/** Upstream's test LLM: `\error x`, `\return x`, "Categorize ... X]" → X, else echoes. */
export class MockLLMService implements LLMService {
  async response(_llm: unknown, instructions: string, input: string) {
    let output: string;
    if (input.startsWith('\\error ')) throw new Error(input.slice(7));
    else if (input.startsWith('\\return ')) output = input.slice(8);
    else if (instructions.startsWith('Categorize')) {
      const words = instructions.trim().split(/\s+/);
      output = words[words.length - 1].replace(/\]$/, '');
    } else output = `You asked:\n\n${instructions}\n\n${input}`;
    return { output, tokens: { input: 45, output: 78 } };
  }
}

/** Upstream's test airtime service (fixed currency; recipients containing 666 fail). */
export class MockAirtimeService implements AirtimeService {
  constructor(private readonly currency: string, private readonly externalId: () => string) {}
  async transfer(sender: string, recipient: string, amounts: Record<string, number | string>) {
    const httpLogs = [{
      url: 'http://send.airtime.com', status_code: 200,
      request: 'GET / HTTP/1.1\r\nHost: send.airtime.com\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n',
      response: 'HTTP/1.0 200 OK\r\nContent-Length: 15\r\n\r\n{"status":"ok"}',
      elapsed_ms: 0, retries: 0, sizes: { request: 0, response: 0 }, status: 'success', created_on: '2019-10-16T13:59:30.123456789Z',
    }];
    if (recipient.includes('666')) return { error: 'invalid recipient number', httpLogs: [] };
    const amount = amounts[this.currency];
    if (amount === undefined) return { error: `no amount configured for transfers in ${this.currency}`, httpLogs };
    return { transfer: { externalId: this.externalId(), sender, recipient, currency: this.currency, amount }, httpLogs };
  }
}
