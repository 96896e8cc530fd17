// Channel log records in RapidPro's shape (what the channel logs pages and storage expect): one
// record per send or callback, holding its HTTP exchanges and errors, secrets already redacted.
import { randomUUID } from 'node:crypto';
import type { HttpLog } from './http.ts';
import type { ReceiveLog } from './routes.ts';
import type { Channel, ChannelError, IncomingEvent, SendResult } from './types.ts';

export type ChannelLogType = 'msg_send' | 'msg_status' | 'msg_receive' | 'event_receive' | 'multi_receive' | 'webhook_verify' | 'unknown';

export interface ChannelLogHttp {
  url: string;
  status_code: number;
  request: string;
  response: string;
  elapsed_ms: number;
  retries: number;
  created_on: string;
}

export interface ChannelLogRecord {
  uuid: string;
  channel_uuid: string;
  log_type: ChannelLogType;
  msg_uuid?: string;
  http_logs: ChannelLogHttp[];
  errors: { code: string; ext_code: string; message: string }[];
  is_error: boolean;
  elapsed_ms: number;
  created_on: string;
}

function http(l: HttpLog): ChannelLogHttp {
  return { url: l.url, status_code: l.status, request: l.request, response: l.response, elapsed_ms: l.elapsedMs, retries: 0, created_on: l.createdOn };
}

function errors(list: ChannelError[]): ChannelLogRecord['errors'] {
  return list.map((e) => ({ code: e.code, ext_code: e.extCode ?? '', message: e.message }));
}

/** The log of one send attempt. */
export function sendLogRecord(channel: Channel, msgUuid: string, result: SendResult, now = new Date()): ChannelLogRecord {
  return {
    uuid: randomUUID(),
    channel_uuid: channel.uuid,
    log_type: 'msg_send',
    msg_uuid: msgUuid,
    http_logs: result.logs.map(http),
    errors: errors(result.errors),
    is_error: result.status === 'errored' || result.status === 'failed',
    elapsed_ms: result.logs.reduce((n, l) => n + l.elapsedMs, 0),
    created_on: now.toISOString(),
  };
}

export function receiveLogType(log: ReceiveLog, events: IncomingEvent[]): ChannelLogType {
  if (log.request.method.toUpperCase() === 'GET' && log.typeCode === 'WAC') return 'webhook_verify';
  const kinds = new Set(events.map((e) => e.kind));
  if (kinds.size > 1) return 'multi_receive';
  if (kinds.has('status')) return 'msg_status';
  if (kinds.has('channel_event')) return 'event_receive';
  if (kinds.has('msg')) return 'msg_receive';
  return log.action === 'receive' ? 'msg_receive' : log.action === 'stopped' ? 'event_receive' : 'msg_status';
}

/** The log of one callback: the incoming request and our answer first, then any HTTP we made. */
export function receiveLogRecord(channel: Channel | null, log: ReceiveLog, events: IncomingEvent[], now = new Date()): ChannelLogRecord {
  const req = log.request;
  const headerLines = Object.entries(req.headers).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`);
  const target = req.url ? new URL(req.url) : null;
  const incoming: ChannelLogHttp = {
    url: req.url ?? req.path,
    status_code: log.response.status,
    request: `${req.method} ${target ? target.pathname + target.search : req.path} HTTP/1.1\r\n${headerLines.join('\r\n')}\r\n\r\n${req.body.raw}`,
    response: `HTTP/1.1 ${log.response.status}\r\nContent-Type: ${log.response.contentType}\r\n\r\n${log.response.body}`,
    elapsed_ms: log.elapsedMs,
    retries: 0,
    created_on: now.toISOString(),
  };
  return {
    uuid: randomUUID(),
    channel_uuid: channel?.uuid ?? '',
    log_type: receiveLogType(log, events),
    http_logs: [incoming, ...log.httpLogs.map(http)],
    errors: errors(log.errors),
    is_error: log.response.status >= 400 || log.errors.length > 0,
    elapsed_ms: log.elapsedMs,
    created_on: now.toISOString(),
  };
}
