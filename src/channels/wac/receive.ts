// WAC (WhatsApp Cloud) webhook, one URL for every WhatsApp channel (routed by the phone number id in
// the payload):
//   GET  /c/wac/receive   verification handshake: hub.mode=subscribe, hub.verify_token, hub.challenge
//   POST /c/wac/receive   signed (X-Hub-Signature-256: sha256=HMAC(app secret, body)) notifications
//                         carrying messages and statuses
// Meta retries non-200 answers, so request errors are answered 200 like courier does.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HttpLog } from '../http.ts';
import {
  dataFor, jsonBody, jsonResponse, newMsg, received, schemeURN, secondsToDate,
} from '../support.ts';
import type {
  Channel, ChannelError, IncomingEvent, IncomingRequest, IncomingStatus, ReceiveContext, ReceiveResult,
} from '../types.ts';
import { GRAPH_URL, wacToken } from './send.ts';

const STATUS_MAPPING: Record<string, IncomingStatus> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };
const IGNORED_STATUSES = new Set(['deleted']);

interface WAMedia { id?: string; caption?: string; mime_type?: string; filename?: string }
interface WAMessage {
  id?: string; group_id?: string; from?: string; from_user_id?: string; timestamp?: string; type?: string;
  text?: { body?: string }; image?: WAMedia; audio?: WAMedia; video?: WAMedia; document?: WAMedia; voice?: WAMedia; sticker?: WAMedia;
  location?: { latitude?: number; longitude?: number };
  button?: { text?: string; payload?: string };
  interactive?: { type?: string; button_reply?: { title?: string }; list_reply?: { title?: string }; nfm_reply?: { body?: string } };
  errors?: { code?: number; title?: string }[];
}
interface WAChange {
  field?: string;
  value?: {
    metadata?: { phone_number_id?: string };
    contacts?: { profile?: { name?: string }; wa_id?: string; user_id?: string }[];
    messages?: WAMessage[];
    statuses?: { id?: string; status?: string; errors?: { code?: number; title?: string }[] }[];
    errors?: { code?: number; title?: string }[];
  };
}
interface Notifications { object?: string; entry?: { id?: string; changes?: WAChange[] }[] }

function objs<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object' && !Array.isArray(x)) as T[]) : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function errorResult(message: string): ReceiveResult {
  return received(jsonResponse(200, 'Error', [{ type: 'error', error: message }]));
}

/** The phone number id a notification is for (the channel address), or null. */
export function wacChannelAddress(req: IncomingRequest): string | null {
  if (req.method.toUpperCase() !== 'POST') return null;
  try {
    const p = jsonBody(req) as Notifications;
    const id = p?.entry?.[0]?.changes?.[0]?.value?.metadata?.phone_number_id;
    return typeof id === 'string' && id ? id : null;
  } catch {
    return null;
  }
}

export async function receiveWAC(ctx: ReceiveContext): Promise<ReceiveResult> {
  if (ctx.action !== 'receive') return errorResult(`unknown action '${ctx.action}'`);
  if (ctx.request.method.toUpperCase() === 'GET') return verify(ctx);
  const sigErr = validateSignature(ctx);
  if (sigErr) return errorResult(sigErr);
  let payload: Notifications;
  try {
    payload = jsonBody(ctx.request) as Notifications;
  } catch (e) {
    return errorResult(`unable to parse request JSON: ${(e as Error).message}`);
  }
  if (!payload || typeof payload !== 'object' || payload.object !== 'whatsapp_business_account') return received(jsonResponse(200, 'Ignored', [{ type: 'info', info: 'ignoring request' }]));
  if (!Array.isArray(payload.entry) || !payload.entry.length) return received(jsonResponse(200, 'Ignored', [{ type: 'info', info: 'ignoring request, no entries' }]));
  const channel = ctx.channel;
  if (!channel) return errorResult('no channel for this phone number id');
  return processPayload(ctx, channel, payload);
}

function verify(ctx: ReceiveContext): ReceiveResult {
  const q = ctx.request.query;
  if (q['hub.mode'] !== 'subscribe') return errorResult('unknown request');
  const secret = ctx.settings?.facebookWebhookSecret ?? '';
  const given = q['hub.verify_token'] ?? '';
  if (!secret || !safeEqual(given, secret)) return errorResult('token does not match secret');
  return received({ status: 200, contentType: 'text/plain; charset=utf-8', body: q['hub.challenge'] ?? '' });
}

function appSecret(ctx: ReceiveContext): string {
  const own = ctx.channel?.config.app_secret;
  return (typeof own === 'string' && own) || ctx.settings?.facebookApplicationSecret || '';
}

function validateSignature(ctx: ReceiveContext): string | null {
  const header = ctx.request.headers['x-hub-signature-256'];
  if (!header) return 'missing request signature';
  const secret = appSecret(ctx);
  if (!secret) return 'no application secret configured';
  const expected = createHmac('sha256', secret).update(ctx.request.body.raw ?? '', 'utf8').digest('hex');
  const given = header.length === 71 && header.startsWith('sha256=') ? header.slice(7) : '';
  if (!safeEqual(given, expected)) return 'invalid request signature';
  return null;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function processPayload(ctx: ReceiveContext, channel: Channel, payload: Notifications): Promise<ReceiveResult> {
  const events: IncomingEvent[] = [];
  const data: Record<string, unknown>[] = [];
  const logs: HttpLog[] = [];
  const errors: ChannelError[] = [];
  const seen = new Set<string>();
  const names = new Map<string, string>();
  const logError = (code: number | undefined, title: string | undefined) =>
    errors.push({ code: 'external', extCode: String(code ?? ''), message: str(title) });

  for (const entry of objs<NonNullable<Notifications['entry']>[number]>(payload.entry)) {
    for (const change of objs<WAChange>(entry.changes)) {
      const value = change.value && typeof change.value === 'object' ? change.value : {};
      for (const c of objs<NonNullable<NonNullable<WAChange['value']>['contacts']>[number]>(value.contacts)) {
        const name = str(c.profile?.name);
        if (str(c.wa_id)) names.set(str(c.wa_id), name);
        if (str(c.user_id)) names.set(str(c.user_id), name);
      }
      for (const m of objs<WAMessage>(value.messages)) {
        if (typeof m.id !== 'string') m.id = undefined;
        if (m.id && seen.has(m.id)) continue;
        if (m.group_id) {
          data.push({ type: 'info', info: 'ignoring group message' });
          continue;
        }
        const ts = Number.parseInt(str(m.timestamp), 10);
        if (!/^\d+$/.test(str(m.timestamp)) || !Number.isFinite(ts)) return errorResult(`invalid timestamp: ${str(m.timestamp)}`);
        const ident = str(m.from) || str(m.from_user_id);
        if (!/^([0-9]+|[A-Z]{2}\.[a-zA-Z0-9]{1,128})$/.test(ident)) return errorResult('invalid whatsapp id');
        const urn = schemeURN('whatsapp', ident);
        for (const e of objs<{ code?: number; title?: string }>(m.errors)) logError(e.code, e.title);

        const extracted = extract(m);
        if (!extracted) {
          errors.push({ code: 'unsupported', message: `unsupported message type ${m.type ?? ''}` });
          continue;
        }
        let attachment = extracted.attachment;
        if (extracted.media?.id) {
          const url = await resolveMedia(ctx, extracted.media.id, logs);
          if (url) attachment = /^[\w.+-]+\/[\w.+-]+$/.test(str(extracted.media.mime_type)) ? `${extracted.media.mime_type}:${url}` : url;
          else errors.push({ code: 'media', message: `unable to resolve media ${extracted.media.id}` });
        }
        const msg = newMsg(channel, {
          urn, text: extracted.text, externalId: m.id ?? null, receivedOn: secondsToDate(ts), attachments: attachment ? [attachment] : [],
          ...(names.get(ident) ? { contactName: names.get(ident)! } : {}),
        });
        if (str(m.from_user_id) && `whatsapp:${m.from_user_id}` !== urn && /^[A-Z]{2}\.[a-zA-Z0-9]{1,128}$/.test(str(m.from_user_id))) msg.newUrn = `whatsapp:${m.from_user_id}`;
        events.push(msg);
        data.push(dataFor(channel, msg));
        if (m.id) seen.add(m.id);
      }
      for (const s of objs<NonNullable<NonNullable<WAChange['value']>['statuses']>[number]>(value.statuses)) {
        const status = Object.prototype.hasOwnProperty.call(STATUS_MAPPING, str(s.status)) ? STATUS_MAPPING[str(s.status)] : undefined;
        if (!status) {
          if (IGNORED_STATUSES.has(str(s.status))) data.push({ type: 'info', info: `ignoring status: ${s.status}` });
          else data.push({ type: 'error', error: `unknown status: ${str(s.status)}` });
          continue;
        }
        if (!str(s.id)) {
          data.push({ type: 'error', error: 'status without an id' });
          continue;
        }
        const ev: IncomingEvent = { kind: 'status', externalId: str(s.id), status };
        const statusErrors = objs<{ code?: number; title?: string }>(s.errors);
        if (statusErrors.length) ev.errors = statusErrors.map((e) => ({ code: 'external', extCode: String(e.code ?? ''), message: e.title ?? '' }));
        events.push(ev);
        data.push(dataFor(channel, ev));
      }
      for (const e of objs<{ code?: number; title?: string }>(value.errors)) logError(e.code, e.title);
    }
  }
  return received(jsonResponse(200, 'Events Handled', data), events, { logs, errors });
}

function extract(m: WAMessage): { text: string; attachment?: string; media?: WAMedia } | null {
  switch (m.type) {
    case 'text':
      return { text: str(m.text?.body) };
    case 'audio': case 'voice': case 'document': case 'image': case 'video': {
      const media = m[m.type];
      return media && typeof media === 'object' && typeof media.id === 'string' ? { text: str(media.caption), media } : null;
    }
    case 'button':
      return m.button && typeof m.button === 'object' ? { text: str(m.button.text) } : null;
    case 'location':
      return m.location && typeof m.location === 'object' ? { text: '', attachment: `geo:${num(m.location.latitude).toFixed(6)},${num(m.location.longitude).toFixed(6)}` } : null;
    case 'interactive':
      if (m.interactive?.type === 'button_reply') return { text: str(m.interactive.button_reply?.title) };
      if (m.interactive?.type === 'list_reply') return { text: str(m.interactive.list_reply?.title) };
      if (m.interactive?.type === 'nfm_reply') return { text: str(m.interactive.nfm_reply?.body) };
      return null;
    default:
      return null;
  }
}

async function resolveMedia(ctx: ReceiveContext, mediaId: string, logs: HttpLog[]): Promise<string | null> {
  const token = wacToken(ctx);
  if (!token || !ctx.http) return null;
  const res = await ctx.http.request({ method: 'GET', url: `${GRAPH_URL}/${encodeURIComponent(mediaId)}`, headers: { Authorization: `Bearer ${token}` }, redact: [token] });
  logs.push(res.log);
  if (Math.floor(res.status / 100) !== 2) return null;
  try {
    const url = (JSON.parse(res.body) as { url?: unknown }).url;
    return typeof url === 'string' && url ? url : null;
  } catch {
    return null;
  }
}
