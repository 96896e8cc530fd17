// Shared pieces for channel types: send outcomes and courier's error vocabulary, courier-style
// JSON responses, form parsing, phone URNs, text splitting and GSM-7 helpers.
import { createHash, randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { HttpLog, HttpResponse } from './http.ts';
import type {
  Channel, ChannelError, IncomingChannelEvent, IncomingEvent, IncomingMsgEvent, IncomingRequest, IncomingStatusEvent,
  OutgoingMsg, QuickReply, ReceiveResponse, ReceiveResult, SendResult,
} from './types.ts';

// ---------------------------------------------------------------------------------------------
// Send outcomes

/** A send failure: retryable ones leave the message errored (retried later), others fail it. */
export class SendError extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly retryable: boolean,
    readonly extCode?: string,
    readonly contactStopped = false,
  ) {
    super(reason);
  }
}

export const sendErrors = {
  channelConfig: () => new SendError('channel_config', 'Channel configuration is missing required values.', false),
  messageInvalid: () => new SendError('message_invalid', 'Message is missing required values.', false),
  connectionFailed: () => new SendError('connection_failed', 'Connection to server failed.', true),
  throttled: () => new SendError('connection_throttled', 'Connection to server has been rate limited.', true),
  responseStatus: () => new SendError('response_status', 'Response has non-success status code.', false),
  responseContent: () => new SendError('response_content', 'Response content indicates non-success.', false),
  responseUnparseable: () => new SendError('response_unparseable', 'Response could not be parsed in the expected format.', false),
  responseUnexpected: () => new SendError('response_unexpected', "Response doesn't match expected values.", false),
  contactStopped: () => new SendError('contact_stopped', 'Contact has opted-out of messages from this channel.', false, undefined, true),
  failedWithReason: (extCode: string, reason: string) => new SendError('rejected_with_reason', reason || `Provider error ${extCode}.`, false, extCode),
  retryableWithReason: (extCode: string, reason: string) => new SendError('rejected_with_reason', reason || `Provider error ${extCode}.`, true, extCode),
};

/** The common mapping of an HTTP outcome: no response or 5xx → retry, 429 → throttled, other non-2xx → failed. */
export function errorFromResponse(res: HttpResponse): SendError | null {
  if (res.status === 0 || Math.floor(res.status / 100) === 5) return sendErrors.connectionFailed();
  if (res.status === 429) return sendErrors.throttled();
  if (Math.floor(res.status / 100) !== 2) return sendErrors.responseStatus();
  return null;
}

/** Collects what happens during one send (logs, external ids, logged errors) and builds the result. */
export class SendRecorder {
  readonly logs: HttpLog[] = [];
  readonly externalIds: string[] = [];
  readonly errors: ChannelError[] = [];
  newUrn?: string;

  track(res: HttpResponse): HttpResponse {
    this.logs.push(res.log);
    return res;
  }

  addExternalId(id: string | undefined | null): void {
    if (id) this.externalIds.push(id);
  }

  error(code: string, message: string, extCode?: string): void {
    this.errors.push(extCode ? { code, message, extCode } : { code, message });
  }

  result(err?: SendError | null): SendResult {
    const base = { externalIds: [...this.externalIds], externalId: this.externalIds[0], logs: this.logs, errors: [...this.errors] };
    if (this.newUrn) Object.assign(base, { newUrn: this.newUrn });
    if (!err) return { ...base, status: 'wired', retryable: false };
    const e: ChannelError = { code: err.code, message: err.reason };
    if (err.extCode) e.extCode = err.extCode;
    base.errors.push(e);
    const r: SendResult = {
      ...base,
      status: err.retryable ? 'errored' : 'failed',
      retryable: err.retryable,
      errorCode: err.code,
      errorReason: err.extCode ? `${err.reason} (${err.extCode})` : err.reason,
    };
    if (err.contactStopped) r.contactStopped = true;
    return r;
  }
}

/** Runs a send body, turning SendErrors (and unexpected exceptions) into the result. */
export async function runSend(body: (rec: SendRecorder) => Promise<void>): Promise<SendResult> {
  const rec = new SendRecorder();
  try {
    await body(rec);
    return rec.result();
  } catch (e) {
    if (e instanceof SendError) return rec.result(e);
    return rec.result(new SendError('internal_error', `An internal error occurred: ${(e as Error).message}`, true));
  }
}

// ---------------------------------------------------------------------------------------------
// Receive responses (courier's JSON shapes)

type DataItem = Record<string, unknown>;

export function jsonResponse(status: number, message: string, data: DataItem[]): ReceiveResponse {
  return { status, contentType: 'application/json', body: JSON.stringify({ message, data }) };
}

export function msgData(channel: Channel, m: IncomingMsgEvent): DataItem {
  const d: DataItem = { type: 'msg', channel_uuid: channel.uuid, msg_uuid: m.uuid, text: m.text, urn: m.urn };
  if (m.attachments.length) d.attachments = m.attachments;
  if (m.externalId) d.external_id = m.externalId;
  d.received_on = m.receivedOn.toISOString();
  return d;
}

export function statusData(channel: Channel, s: IncomingStatusEvent): DataItem {
  const d: DataItem = { type: 'status', channel_uuid: channel.uuid, status: STATUS_CODES[s.status] };
  if (s.externalId) d.external_id = s.externalId;
  if (s.msgUuid) d.msg_uuid = s.msgUuid;
  return d;
}

export function eventData(channel: Channel, e: IncomingChannelEvent): DataItem {
  const d: DataItem = { type: 'event', channel_uuid: channel.uuid, event_type: e.eventType, urn: e.urn, received_on: e.occurredOn.toISOString() };
  if (e.extra && Object.keys(e.extra).length) d.extra = e.extra;
  return d;
}

export function dataFor(channel: Channel, ev: IncomingEvent): DataItem {
  if (ev.kind === 'msg') return msgData(channel, ev);
  if (ev.kind === 'status') return statusData(channel, ev);
  return eventData(channel, ev);
}

/** Status letters as courier reports them (engine.md §5.4). */
export const STATUS_CODES: Record<string, string> = { wired: 'W', sent: 'S', delivered: 'D', read: 'R', failed: 'F', errored: 'E' };

export function received(response: ReceiveResponse, events: IncomingEvent[] = [], extra: Partial<ReceiveResult> = {}): ReceiveResult {
  return { response, events, logs: extra.logs ?? [], errors: extra.errors ?? [] };
}

export function msgAccepted(channel: Channel, msgs: IncomingMsgEvent[]): ReceiveResult {
  return received(jsonResponse(200, 'Message Accepted', msgs.map((m) => msgData(channel, m))), msgs);
}

export function statusAccepted(channel: Channel, statuses: IncomingStatusEvent[], also: IncomingEvent[] = []): ReceiveResult {
  return received(jsonResponse(200, 'Status Update Accepted', statuses.map((s) => statusData(channel, s))), [...statuses, ...also]);
}

export function eventAccepted(channel: Channel, event: IncomingChannelEvent): ReceiveResult {
  return received(jsonResponse(200, 'Event Accepted', [eventData(channel, event)]), [event]);
}

export function ignored(details: string): ReceiveResult {
  return received(jsonResponse(200, 'Ignored', [{ type: 'info', info: details }]));
}

export function requestError(message: string, status = 400): ReceiveResult {
  return received(jsonResponse(status, 'Error', [{ type: 'error', error: message }]));
}

export function unauthorized(message: string): ReceiveResult {
  return received(jsonResponse(401, 'Unauthorized', [{ type: 'error', error: message }]));
}

/**
 * The UUID of an incoming message. With a provider id it is derived from (channel, URN identity,
 * provider id) — courier's fingerprint for duplicate callbacks — so a provider retrying a callback
 * produces the same UUID, the runtime's insert (ON CONFLICT (uuid) DO NOTHING) stores the message
 * once and hands it to flows once, and the retry's answer names the stored message. (Courier
 * remembers fingerprints for 24-48 hours; a derived UUID remembers them for good.) Without a
 * provider id, a random UUID.
 */
export function incomingMsgUuid(channelUuid: string, urn: string, externalId: string | null | undefined): string {
  if (!externalId) return randomUUID();
  const identity = urn.split(/[?#]/)[0];
  const h = createHash('sha256').update(`${channelUuid.toLowerCase()}|${identity}|${externalId}`).digest();
  // laid out as a version 8 (custom) RFC 9562 UUID
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newMsg(channel: Channel, fields: Omit<IncomingMsgEvent, 'kind' | 'uuid' | 'attachments' | 'externalId'> & Partial<Pick<IncomingMsgEvent, 'attachments' | 'externalId'>>): IncomingMsgEvent {
  const m: IncomingMsgEvent = {
    kind: 'msg', uuid: incomingMsgUuid(channel.uuid, fields.urn, fields.externalId), urn: fields.urn, text: fields.text, attachments: fields.attachments ?? [],
    externalId: fields.externalId ?? null, receivedOn: fields.receivedOn,
  };
  if (fields.contactName) m.contactName = fields.contactName;
  if (fields.newUrn) m.newUrn = fields.newUrn;
  return m;
}

// ---------------------------------------------------------------------------------------------
// Request parsing

/** Form values of a request: body (urlencoded or multipart) first, then the query string, like Go's r.Form. */
export async function readForm(req: IncomingRequest): Promise<URLSearchParams> {
  const out = new URLSearchParams();
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  const raw = req.body.raw ?? '';
  if (req.method.toUpperCase() !== 'GET' && raw) {
    if (ct.includes('multipart/form-data')) {
      try {
        const fd = await new Response(raw, { headers: { 'content-type': req.headers['content-type']! } }).formData();
        for (const [k, v] of fd.entries()) if (typeof v === 'string') out.append(k, v);
      } catch {
        throw new Error('invalid multipart body');
      }
    } else if (ct.includes('application/x-www-form-urlencoded') || ct === '') {
      for (const [k, v] of new URLSearchParams(raw)) out.append(k, v);
    }
  }
  for (const [k, v] of Object.entries(req.query)) out.append(k, v);
  return out;
}

/** Only the body's form values (Twilio signs these). */
export function bodyForm(req: IncomingRequest): URLSearchParams {
  return new URLSearchParams(req.body.raw ?? '');
}

/** The parsed JSON body, parsing the raw text when the caller did not. Throws on invalid JSON. */
export function jsonBody(req: IncomingRequest): unknown {
  if (req.body.parsed !== undefined && typeof req.body.parsed !== 'string') return req.body.parsed;
  return JSON.parse(req.body.raw);
}

// ---------------------------------------------------------------------------------------------
// URNs and phone numbers

/** `tel:` URN for a number as a provider sent it, using the channel country for national numbers. */
export function phoneURN(raw: string, country: string | null | undefined): string {
  const trimmed = raw.trim();
  if (!trimmed) throw new Error('phone number cannot be empty');
  const parsed = parsePhoneNumberFromString(trimmed, (country || undefined) as CountryCode | undefined);
  if (parsed && parsed.isPossible()) return `tel:${parsed.number}`;
  if (!trimmed.startsWith('+')) {
    const intl = parsePhoneNumberFromString(`+${trimmed}`);
    if (intl && intl.isValid() && trimmed.replace(/\D/g, '').length >= 11) return `tel:${intl.number}`;
  }
  const digits = trimmed.replace(/[^0-9a-z]/gi, '').toLowerCase();
  if (!digits || digits.length > 64 || !/^[0-9]+$/.test(digits)) throw new Error(`invalid phone number: ${raw}`);
  return `tel:${digits}`; // short codes and other non-E.164 senders are kept as digits
}

/** URN for an identifier on a non-phone scheme. */
export function schemeURN(scheme: string, path: string, display?: string): string {
  const p = path.trim();
  if (!p) throw new Error(`${scheme} id cannot be empty`);
  if (/[\s#?%]/.test(p)) throw new Error(`invalid ${scheme} id: ${path}`);
  return display ? `${scheme}:${p}#${display}` : `${scheme}:${p}`;
}

/** The incoming URN for a channel: phone parsing for tel channels, else the first scheme. */
export function urnForChannel(channel: Channel, from: string): string {
  const scheme = channel.schemes[0] ?? 'tel';
  return scheme === 'tel' ? phoneURN(from, channel.country) : schemeURN(scheme, from);
}

export function urnScheme(urn: string): string {
  return urn.slice(0, Math.max(0, urn.indexOf(':')));
}

const PLAIN_PATH = /^[^?#%]*$/;

/** The path of a `scheme:path[?query][#display]` URN. */
export function urnPath(urn: string): string {
  const rest = urn.slice(urn.indexOf(':') + 1);
  // a plain path (every phone number) needs no splitting or decoding
  if (PLAIN_PATH.test(rest)) return rest;
  return decodeURIComponent(rest.split(/[?#]/)[0]);
}

// ---------------------------------------------------------------------------------------------
// Message content

export function configString(channel: Channel, key: string, fallback = ''): string {
  const v = channel.config[key];
  if (v === undefined || v === null) return fallback;
  return typeof v === 'string' ? v : String(v);
}

export function configInt(channel: Channel, key: string, fallback: number): number {
  const v = channel.config[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function configBool(channel: Channel, key: string, fallback = false): boolean {
  const v = channel.config[key];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return ['true', '1', 'yes', 'on'].includes(v.toLowerCase());
  return fallback;
}

/** Splits `content-type:url` into its two parts. */
export function splitAttachment(a: string): { contentType: string; url: string } {
  const i = a.indexOf(':');
  if (i < 0) return { contentType: '', url: a };
  // a bare URL ("https://...") has no content type
  if (/^https?$/i.test(a.slice(0, i))) return { contentType: '', url: a };
  return { contentType: a.slice(0, i), url: a.slice(i + 1) };
}

export function mediaKind(contentType: string): string {
  return contentType.split('/')[0].toLowerCase();
}

/** Text followed by each attachment URL on its own line (for text-only providers). */
export function textAndAttachments(msg: OutgoingMsg): string {
  return [msg.text, ...msg.attachments.map((a) => splitAttachment(a).url)].join('\n');
}

/** Splits text into parts of at most `max` UTF-8 bytes, preferring to break at a space near the end. */
export function splitText(text: string, max: number): string[] {
  if (Buffer.byteLength(text) <= max) return [text];
  const parts: string[] = [];
  let part = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max && part) {
      parts.push(part.trim());
      part = '';
      bytes = 0;
    }
    part += ch;
    bytes += n;
    if (bytes >= max || (bytes > max - 6 && ch === ' ')) {
      parts.push(part.trim());
      part = '';
      bytes = 0;
    }
  }
  if (part) parts.push(part.trim());
  return parts.filter((p) => p.length > 0);
}

export function quickReplyText(qr: QuickReply): string {
  const type = qr.type ?? 'text';
  if (qr.text) return qr.text;
  if (type === 'location') return 'Send Location';
  if (type === 'form') return 'Open Form';
  if (type === 'url') return 'Open Link';
  return '';
}

export function quickRepliesOfType(qrs: QuickReply[], ...types: string[]): QuickReply[] {
  return qrs.filter((q) => types.includes(q.type ?? 'text'));
}

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '\f^{}\\[~]|€';
const GSM7 = new Set([...GSM7_BASIC, ...GSM7_EXTENDED]);

export function isGSM7(text: string): boolean {
  for (const ch of text) if (!GSM7.has(ch)) return false;
  return true;
}

const SUBSTITUTIONS: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"', '«': '"', '»': '"',
  '\u2013': '-', '\u2014': '-', '\u2012': '-', '\u2015': '-', '\u2010': '-', '\u2011': '-',
  '\u2026': '...', '\u00a0': ' ', '\u2002': ' ', '\u2003': ' ', '\u2009': ' ', '\u200b': '',
  'á': 'a', 'â': 'a', 'ã': 'a', 'í': 'i', 'î': 'i', 'ï': 'i', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ú': 'u', 'û': 'u',
  'ê': 'e', 'ë': 'e', 'ç': 'Ç', 'Á': 'A', 'Â': 'A', 'Ã': 'A', 'Í': 'I', 'Ó': 'O', 'Ú': 'U', 'Ê': 'E', 'È': 'E',
};

/** Replaces common non-GSM-7 characters (smart quotes, dashes, ellipses, some accents) with GSM-7 ones. */
export function gsm7Substitute(text: string): string {
  let out = '';
  for (const ch of text) out += SUBSTITUTIONS[ch] ?? ch;
  return out;
}

export function secondsToDate(ts: number): Date {
  // Meta sometimes sends milliseconds
  return ts >= 1_000_000_000_000 ? new Date(ts) : new Date(ts * 1000);
}
