// TG (Telegram) webhook: POST /c/tg/<uuid>/receive with a Bot API Update. `/start` becomes a
// new_conversation event; photos, videos, voice notes, stickers and documents are resolved to
// download URLs through getFile; locations/venues become geo: attachments.
//
// Courier accepts any caller (the channel UUID in the URL is the only secret). When the channel has
// a `secret_token` (the value given to setWebhook), the X-Telegram-Bot-Api-Secret-Token header
// Telegram then sends on every update must match it.
import { timingSafeEqual } from 'node:crypto';
import { formEncode } from '../encoding.ts';
import {
  configString, eventAccepted, ignored, jsonBody, msgAccepted, newMsg, requestError, schemeURN,
} from '../support.ts';
import type { HttpLog } from '../http.ts';
import type { ReceiveContext, ReceiveResult } from '../types.ts';
import { TELEGRAM_API } from './send.ts';

interface TGFile { file_id?: string; file_size?: number }
interface TGLocation { latitude?: number; longitude?: number }
interface TGUpdate {
  update_id?: number;
  message?: {
    message_id?: number;
    from?: { id?: number; first_name?: string; last_name?: string; username?: string };
    date?: number;
    text?: string;
    caption?: string;
    photo?: TGFile[];
    video?: TGFile;
    voice?: TGFile;
    document?: TGFile;
    sticker?: { thumb?: TGFile; thumbnail?: TGFile };
    location?: TGLocation;
    venue?: { location?: TGLocation; title?: string; address?: string };
    contact?: { phone_number?: string; first_name?: string; last_name?: string };
    web_app_data?: { data?: string; button_text?: string };
  };
}

export async function receiveTG(ctx: ReceiveContext): Promise<ReceiveResult> {
  const channel = ctx.channel!;
  if (ctx.action !== 'receive') return requestError(`unknown action '${ctx.action}'`, 404);
  const secret = configString(channel, 'secret_token');
  if (secret && !sameSecret(ctx.request.headers['x-telegram-bot-api-secret-token'] ?? '', secret)) return requestError('invalid or missing secret token');
  let payload: TGUpdate;
  try {
    payload = jsonBody(ctx.request) as TGUpdate;
  } catch (e) {
    return requestError(`unable to parse request JSON: ${(e as Error).message}`);
  }
  if (!payload || typeof payload !== 'object' || !payload.update_id) return requestError("field 'update_id' required");
  const m = payload.message;
  if (!m || typeof m !== 'object' || !m.message_id) return ignored('Ignoring request, no message');

  const date = new Date(num(m.date) * 1000);
  const from = m.from && typeof m.from === 'object' ? m.from : {};
  let urn: string;
  try {
    if (!/^\d+$/.test(String(from.id ?? ''))) throw new Error('invalid telegram id');
    urn = schemeURN('telegram', String(from.id), str(from.username) ? str(from.username).toLowerCase() : undefined);
  } catch (e) {
    return requestError((e as Error).message);
  }
  const name = nameFrom(str(from.first_name), str(from.last_name), str(from.username));

  let text = str(m.text);
  if (text === '/start') {
    const ev = { kind: 'channel_event' as const, eventType: 'new_conversation' as const, urn, occurredOn: date, ...(name ? { contactName: name } : {}) };
    return eventAccepted(channel, ev);
  }
  if (!text && str(m.caption)) text = str(m.caption);

  const logs: HttpLog[] = [];
  const resolve = async (fileId: string | undefined) => resolveFile(ctx, fileId, logs);
  let media: { url?: string; error?: string } = {};
  const photos = Array.isArray(m.photo) ? m.photo.filter((p): p is TGFile => !!p && typeof p === 'object') : [];
  if (photos.length) {
    // the largest size not over 100 kB
    let photo = photos[0];
    for (let i = 1; i < photos.length; i++) {
      if (num(photos[i].file_size) > 100_000) break;
      photo = photos[i];
    }
    media = await resolve(photo.file_id);
  } else if (m.video) media = await resolve(m.video.file_id);
  else if (m.voice) media = await resolve(m.voice.file_id);
  else if (m.sticker) media = await resolve((m.sticker.thumb ?? m.sticker.thumbnail)?.file_id);
  else if (m.document) media = await resolve(m.document.file_id);
  else if (m.venue) {
    text = [str(m.venue.title), str(m.venue.address)].filter(Boolean).join(', ');
    const loc = m.location ?? m.venue.location;
    if (loc) media = { url: geo(loc) };
  } else if (m.location) {
    text = '';
    media = { url: geo(m.location) };
  } else if (m.contact) {
    const phone = str(m.contact.phone_number) ? `(${m.contact.phone_number})` : '';
    text = [str(m.contact.first_name), str(m.contact.last_name), phone].filter(Boolean).join(' ');
  } else if (m.web_app_data) {
    const raw = str(m.web_app_data.data).trim();
    text = raw.startsWith('{') && isJSON(raw) ? str(m.web_app_data.button_text) : str(m.web_app_data.data);
  }

  if (media.error && !text) {
    const r = ignored(`unable to resolve file: ${media.error}`);
    r.logs = logs;
    return r;
  }
  const msg = newMsg(channel, {
    urn, text, receivedOn: date, externalId: String(m.message_id), attachments: media.url ? [media.url] : [],
    ...(name ? { contactName: name } : {}),
  });
  const r = msgAccepted(channel, [msg]);
  r.logs = logs;
  return r;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function nameFrom(first?: string, last?: string, username?: string): string {
  if (first && last) return `${first} ${last}`;
  return first || last || username || '';
}

function geo(l: TGLocation): string {
  return `geo:${num(l.latitude).toFixed(6)},${num(l.longitude).toFixed(6)}`;
}

function num(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function isJSON(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

async function resolveFile(ctx: ReceiveContext, fileId: string | undefined, logs: HttpLog[]): Promise<{ url?: string; error?: string }> {
  const token = configString(ctx.channel!, 'auth_token');
  if (!token) return { error: 'invalid auth token config' };
  if (!fileId || typeof fileId !== 'string') return { error: 'missing file id' };
  if (!ctx.http) return { error: 'no HTTP client to resolve files' };
  const res = await ctx.http.request({
    method: 'POST',
    url: `${TELEGRAM_API}/bot${token}/getFile`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formEncode({ file_id: fileId }),
    redact: [token],
  });
  logs.push(res.log);
  let payload: { ok?: boolean; error_code?: number; result?: { file_path?: string } };
  try {
    payload = JSON.parse(res.body);
  } catch {
    return { error: 'unable to resolve file' };
  }
  if (Math.floor(res.status / 100) !== 2 || payload.error_code) return { error: 'unable to resolve file' };
  if (!payload.ok) return { error: `file id '${fileId}' not present` };
  const path = payload.result?.file_path;
  if (!path) return { error: "no 'result.file_path' in response" };
  return { url: `${TELEGRAM_API}/file/bot${token}/${path}` };
}
