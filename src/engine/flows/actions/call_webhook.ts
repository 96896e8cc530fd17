import { check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import { truncateEllipsis } from '../core/results.ts';
import type { HTTPRequest } from '../services.ts';
import { str } from './support/helpers.ts';
import { callStatus, logCallError, logWebhookCalled, saveWebhookResult, webhookCall } from './support/webhooks.ts';
import { defineAction, WEBHOOK_CATEGORIES, ONLINE } from './support/types.ts';

interface CallWebhook extends ActionDef {
  method: string; url: string; headers?: Record<string, string>; body?: string; result_name?: string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isValidURL(u: string): boolean {
  if ([...u].length > 8192) return false;
  try {
    new URL(u);
    return true;
  } catch {
    return false;
  }
}

/** Approximate wire size of the request: request line, headers, blank line and body. */
function requestSize(req: HTTPRequest): number {
  let size = req.method.length + Buffer.byteLength(req.url) + 12;
  for (const [k, v] of req.headers) size += Buffer.byteLength(k) + Buffer.byteLength(v) + 4;
  return size + 2 + Buffer.byteLength(req.body);
}

function validateHeaders(headers: Record<string, string> | undefined): (string | null)[] {
  if (!headers) return [];
  const out: (string | null)[] = [check.maxLength('headers', headers, 10)];
  for (const [k, v] of Object.entries(headers)) {
    if (!HEADER_NAME.test(k)) out.push(`header '${k}' is not a valid HTTP header`);
    if (k.length > 100) out.push(`field 'headers[${k}]' must be less than or equal to 100`);
    out.push(check.maxLength(`headers[${k}]`, v, 5000));
  }
  return out;
}

export default defineAction<CallWebhook>({
  type: 'call_webhook',
  flowTypes: ONLINE,
  inspect: (a, add) => { if (a.result_name) add.result(a.result_name, WEBHOOK_CATEGORIES); },
  textFields: [{ name: 'url', evaluated: true }, { name: 'headers', evaluated: true }, { name: 'body', evaluated: true }],
  validate: (a) => collect(
    check.required('method', a.method),
    a.method && !METHODS.includes(a.method.toUpperCase()) ? "field 'method' is not a valid HTTP method" : null,
    check.required('url', a.url),
    check.maxLength('url', a.url, 8192),
    ...validateHeaders(a.headers),
    check.maxLength('body', a.body, 20000),
    check.resultName('result_name', a.result_name),
  ),
  async execute(run, step, a, log) {
    run.webhook = null;
    const url = run.evaluate(str(a.url), log)[0].trim();
    if (!url) {
      log('error', { text: 'Webhook URL evaluated to empty string' });
      return;
    }
    if (!isValidURL(url)) {
      const truncated = truncateEllipsis(url, 255);
      log('error', { text: `Webhook URL evaluated to an invalid URL: '${truncated}'`, code: 'url:invalid', extra: { url: truncated } });
      return;
    }
    const method = a.method.toUpperCase();
    const headers: [string, string][] = Object.entries(a.headers ?? {}).map(([k, v]) => [k, run.evaluate(v, log)[0]]);
    const body = a.body ? run.evaluate(a.body, log, { truncate: false })[0] : '';
    const req: HTTPRequest = { method, url, headers, body };
    const limit = run.session.options.maxWebhookRequestBytes;
    const size = requestSize(req);
    if (limit > 0 && size > limit) {
      log('error', {
        text: `Webhook request evaluated to ${size} bytes, exceeding the limit of ${limit}`, code: 'webhook:request_size',
        extra: { size: String(size), limit: String(limit) },
      });
      return;
    }
    const hostname = new URL(url).hostname;
    if (run.session.services.blockedDomains?.includes(hostname)) {
      log('error', { text: `Webhook calls to ${hostname} are not allowed`, code: 'url:blocked', extra: { hostname } });
      return;
    }
    const service = run.session.services.webhook;
    if (!service) {
      log('error', { text: 'no webhook service configured' });
      return;
    }
    const result = await service.call(req);
    logCallError(run, result, log);
    const call = webhookCall(req, result);
    const status = callStatus(result, false);
    logWebhookCalled(log, req, result, status);
    if (a.result_name) saveWebhookResult(run, step.node_uuid, a.result_name, call, status, log);
    run.webhook = call;
  },
});
