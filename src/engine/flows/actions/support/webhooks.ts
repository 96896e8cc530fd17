import type { EventLogger } from '../../core/events.ts';
import { truncateEllipsis } from '../../core/results.ts';
import type { Run, WebhookCall } from '../../run.ts';
import type { HTTPRequest, HTTPResult } from '../../services.ts';

export type CallStatus = 'success' | 'response_error' | 'connection_error' | 'subscriber_gone';

const TRIM_TRACES_TO = 10_000;
const TRIM_URLS_TO = 2048;
const RESULT_EXTRA_MAX_BYTES = 10_000;

export function callStatus(r: HTTPResult, isResthook: boolean): CallStatus {
  if (r.statusCode === undefined || r.error) return 'connection_error';
  if (isResthook && r.statusCode === 410) return 'subscriber_gone';
  return Math.floor(r.statusCode / 100) === 2 ? 'success' : 'response_error';
}

/** The leading JSON value of a response body, or null when it isn't JSON. */
function extractJSON(body: string | undefined): string | null {
  if (!body) return null;
  const trimmed = body.trim();
  try {
    JSON.parse(trimmed);
    return trimmed;
  } catch {
    return null;
  }
}

/** What @webhook exposes for a call. */
export function webhookCall(req: HTTPRequest, r: HTTPResult): WebhookCall {
  return {
    method: req.method, url: req.url, status: r.statusCode ?? 0,
    headers: r.responseHeaders ?? null, jsonRaw: extractJSON(r.responseBody),
  };
}

/** Logs the webhook_called event for a call (traces trimmed as goflow does). */
export function logWebhookCalled(log: EventLogger, req: HTTPRequest, r: HTTPResult, status: CallStatus, resthook = ''): void {
  const fields: Record<string, unknown> = { url: truncateEllipsis(req.url, TRIM_URLS_TO), status };
  if (r.statusCode) fields.status_code = r.statusCode;
  fields.request = truncateEllipsis(r.request, TRIM_TRACES_TO);
  if (r.response) fields.response = truncateEllipsis(r.response, TRIM_TRACES_TO);
  fields.elapsed_ms = r.elapsedMs;
  fields.retries = r.retries;
  fields.sizes = r.sizes;
  if (resthook) fields.resthook = resthook;
  log('webhook_called', fields);
}

/** Warning or error for a failed call, as goflow logs them. */
export function logCallError(run: Run, r: HTTPResult, log: EventLogger): void {
  if (r.error === 'response_size') {
    const limit = run.session.options.maxWebhookResponseBytes;
    log('warning', { text: `Webhook response exceeded the limit of ${limit} bytes`, code: 'webhook:response_size', extra: { limit: String(limit) } });
  } else if (r.error) {
    log('error', { text: r.errorText ?? 'connection error' });
  }
}

/** The legacy result a webhook action with result_name saves. */
export function saveWebhookResult(run: Run, nodeUUID: string, name: string, call: WebhookCall, status: CallStatus, log: EventLogger): void {
  const category = status === 'success' ? 'Success' : 'Failure';
  const extra = call.jsonRaw && call.jsonRaw.length < RESULT_EXTRA_MAX_BYTES ? JSON.parse(call.jsonRaw) : null;
  run.saveResult(name, String(call.status), category, '', nodeUUID, `${call.method} ${call.url}`, extra, log, extra ? call.jsonRaw! : undefined);
}
