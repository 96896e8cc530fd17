// T (Twilio) callbacks, both signed with X-Twilio-Signature (HMAC-SHA1 of the full URL followed by
// the sorted POST parameters, keyed with the auth token):
//   POST /c/t/<uuid>/receive   MessageSid, AccountSid, From, To, Body, NumMedia, MediaUrl<n>
//   POST /c/t/<uuid>/status    MessageSid, MessageStatus, ErrorCode (?uuid=<msg> when we set it)
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  bodyForm, configBool, configString, ignored, phoneURN, received, requestError, statusAccepted,
  newMsg,
} from '../support.ts';
import type { Channel, ChannelError, IncomingChannelEvent, IncomingRequest, IncomingStatus, IncomingStatusEvent, ReceiveContext, ReceiveResult } from '../types.ts';
import { ERROR_STOPPED, ERROR_THROTTLED } from './send.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const STATUS_MAPPING: Record<string, IncomingStatus> = {
  queued: 'sent', failed: 'failed', sent: 'sent', delivered: 'delivered', read: 'read', undelivered: 'failed',
};

export async function receiveT(ctx: ReceiveContext): Promise<ReceiveResult> {
  const channel = ctx.channel!;
  const sigErr = validateSignature(channel, ctx.request);
  if (sigErr) return requestError(sigErr);
  const form = bodyForm(ctx.request);
  if (ctx.action === 'receive') return receiveMessage(channel, form, ctx.now ?? (() => new Date()));
  if (ctx.action === 'status') return receiveStatus(channel, form, ctx.request, ctx.now ?? (() => new Date()));
  return requestError(`unknown action '${ctx.action}'`, 404);
}

function twimlIgnored(details: string): ReceiveResult {
  return received({ status: 200, contentType: 'text/xml', body: `<?xml version="1.0" encoding="UTF-8"?><!-- ${details} --><Response/>` });
}

function receiveMessage(channel: Channel, form: URLSearchParams, now: () => Date): ReceiveResult {
  for (const f of ['MessageSid', 'AccountSid', 'From', 'To']) {
    if (!form.get(f)) return requestError(`field '${f.toLowerCase()}' required`);
  }
  let urn: string;
  try {
    urn = parseURN(channel, form.get('From')!, form.get('FromCountry') || channel.country || '');
  } catch (e) {
    return requestError((e as Error).message);
  }
  let text = form.get('Body') ?? '';
  if (text) text = decodePossibleBase64(text);
  if (channel.schemes.includes('whatsapp') && form.get('ButtonText')) text = form.get('ButtonText')!;
  const numMedia = Number.parseInt(form.get('NumMedia') ?? '0', 10) || 0;
  const attachments: string[] = [];
  for (let i = 0; i < numMedia; i++) {
    const url = form.get(`MediaUrl${i}`);
    if (url) attachments.push(url);
  }
  const msg = newMsg(channel, { urn, text, externalId: form.get('MessageSid')!, receivedOn: now(), attachments });
  return received({ status: 200, contentType: 'text/xml', body: TWIML_EMPTY }, [msg]);
}

function receiveStatus(channel: Channel, form: URLSearchParams, req: IncomingRequest, now: () => Date): ReceiveResult {
  const sid = form.get('MessageSid') ?? '';
  const statusText = form.get('MessageStatus') ?? '';
  if (!sid || !statusText) return twimlIgnored('no msg status, ignoring');
  let status = STATUS_MAPPING[statusText];
  if (!status) {
    return requestError(`unknown status '${statusText}', must be one of 'queued', 'failed', 'sent', 'delivered', or 'undelivered'`);
  }
  if (configBool(channel, 'ignore_dlrs') && status !== 'failed') return twimlIgnored('ignoring non error delivery report');

  const also: IncomingChannelEvent[] = [];
  const errors: ChannelError[] = [];
  const code = Number.parseInt(form.get('ErrorCode') ?? '', 10) || 0;
  if (code) {
    if (code === ERROR_STOPPED) {
      try {
        also.push({ kind: 'channel_event', eventType: 'stop_contact', urn: parseURN(channel, form.get('To') ?? '', ''), occurredOn: now() });
      } catch (e) {
        return requestError((e as Error).message);
      }
    }
    errors.push({ code: 'external', extCode: String(code), message: `Twilio error ${code}` });
    if (code === ERROR_THROTTLED) status = 'errored';
  }
  const uuid = req.query.uuid ?? '';
  const ev: IncomingStatusEvent = UUID_RE.test(uuid) && code !== ERROR_THROTTLED
    ? { kind: 'status', msgUuid: uuid.toLowerCase(), status }
    : { kind: 'status', externalId: sid, status };
  if (errors.length) ev.errors = errors;
  const r = statusAccepted(channel, [ev], also);
  return r;
}

function parseURN(channel: Channel, text: string, country: string): string {
  if (channel.schemes.includes('whatsapp')) {
    const parts = text.split(':');
    const id = parts.length > 1 ? parts[1] : parts[0];
    if (id.includes('.') && id.indexOf('.') < id.length - 1) return `whatsapp:${id}`;
    return `whatsapp:${id.replace(/^\++/, '')}`;
  }
  return phoneURN(text, country);
}

/** Twilio sometimes sends long concatenated SMS base64-encoded; decode when it clearly is. */
export function decodePossibleBase64(original: string): string {
  const stripped = original.replace(/[\r\n]/g, '').trim();
  const chars = [...stripped];
  if (chars.length < 60 || chars.length % 4 !== 0) return original;
  if (!/^([a-zA-Z0-9+/=]{4})+$/.test(stripped.slice(0, stripped.length - 4))) return original;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(stripped)) return original;
  const decoded = Buffer.from(stripped, 'base64').toString('utf8');
  const runes = [...decoded];
  if (!runes.length) return original;
  const ascii = runes.filter((c) => c.codePointAt(0)! <= 127).length;
  return ascii / runes.length < 0.5 ? original : decoded;
}

/**
 * The URL Twilio signed: https, our Host, and the X-Forwarded-Path (behind a proxy) or the request's
 * own path and query. Always https, as courier: Twilio only calls https callback URLs in production,
 * and a proxy's X-Forwarded-Proto must not change what is verified.
 */
function signedURL(req: IncomingRequest): string {
  const proxyPath = req.headers['x-forwarded-path'];
  let host = req.headers.host ?? '';
  let pathAndQuery: string;
  if (req.url) {
    const u = new URL(req.url);
    host ||= u.host;
    pathAndQuery = u.pathname + u.search;
  } else {
    const qs = new URLSearchParams(req.query).toString();
    pathAndQuery = req.path + (qs ? `?${qs}` : '');
  }
  return `https://${host}${proxyPath ?? pathAndQuery}`;
}

/** Twilio's request signature: base64(HMAC-SHA1(token, url + sorted key/value pairs)). */
export function twilioSignature(url: string, form: URLSearchParams, authToken: string): string {
  const keys = [...new Set([...form.keys()])].sort();
  let data = url;
  for (const k of keys) data += k + form.getAll(k).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function validateSignature(channel: Channel, req: IncomingRequest): string | null {
  const actual = req.headers['x-twilio-signature'];
  if (!actual) return 'missing request signature';
  const token = configString(channel, 'auth_token');
  if (!token) return 'invalid or missing auth token in config';
  const expected = twilioSignature(signedURL(req), bodyForm(req), token);
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'invalid request signature';
  return null;
}
