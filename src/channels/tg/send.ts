// TG (Telegram Bot API) send: sendMessage for text, sendPhoto/sendVideo/sendAudio/sendDocument per
// attachment (captioned when there is exactly one), a reply keyboard for text/location/form quick
// replies or an inline keyboard of link buttons for URL-only quick replies.
import { formEncode } from '../encoding.ts';
import {
  configString, mediaKind, quickReplyText, runSend, sendErrors, splitAttachment, urnPath,
  type SendRecorder,
} from '../support.ts';
import type { HttpClient } from '../http.ts';
import type { QuickReply, SendContext, SendResult } from '../types.ts';

export const TELEGRAM_API = 'https://api.telegram.org';

const METHOD_BY_KIND: Record<string, { path: string; field: string }> = {
  image: { path: 'sendPhoto', field: 'photo' },
  video: { path: 'sendVideo', field: 'video' },
  audio: { path: 'sendAudio', field: 'audio' },
  application: { path: 'sendDocument', field: 'document' },
};

export async function sendTG(ctx: SendContext): Promise<SendResult> {
  const { channel, msg, http } = ctx;
  return runSend(async (rec) => {
    const token = configString(channel, 'auth_token');
    if (!token) throw sendErrors.channelConfig();
    const chatId = urnPath(msg.urn);

    const attachments = msg.attachments.map(splitAttachment).filter((a) => {
      const kind = mediaKind(a.contentType);
      const ok = kind in METHOD_BY_KIND && (kind !== 'application' || a.contentType.toLowerCase() === 'application/pdf');
      if (!ok) rec.error('media_unsupported', `Unsupported attachment media type: ${a.contentType}.`);
      return ok;
    });
    const caption = attachments.length === 1 ? msg.text : '';
    const keyboard = buildKeyboard(msg.quickReplies, rec);

    if (msg.text && !caption) {
      const id = await sendPart(http, rec, token, 'sendMessage', { chat_id: chatId, text: msg.text }, attachments.length === 0 ? keyboard : null);
      rec.addExternalId(id);
    }
    for (let i = 0; i < attachments.length; i++) {
      const a = attachments[i];
      const m = METHOD_BY_KIND[mediaKind(a.contentType)];
      const id = await sendPart(http, rec, token, m.path, { chat_id: chatId, [m.field]: a.url, caption }, i === attachments.length - 1 ? keyboard : null);
      rec.addExternalId(id);
    }
  });
}

async function sendPart(
  http: HttpClient, rec: SendRecorder, token: string, path: string, fields: Record<string, string>, keyboard: unknown,
): Promise<string> {
  const all: Record<string, string> = {
    ...fields,
    parse_mode: 'Markdown',
    reply_markup: keyboard ? JSON.stringify(keyboard) : '{"remove_keyboard":true}',
  };
  const sorted = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
  const res = rec.track(await http.request({
    method: 'POST',
    url: `${TELEGRAM_API}/bot${token}/${path}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formEncode(sorted),
    redact: [token],
  }));
  if (res.status === 0 || Math.floor(res.status / 100) === 5) throw sendErrors.connectionFailed();
  if (res.status === 429) throw sendErrors.throttled();
  let payload: { ok?: boolean; error_code?: number; description?: string; result?: { message_id?: number } } | null = null;
  try {
    payload = JSON.parse(res.body);
  } catch {
    payload = null;
  }
  if (!payload || Math.floor(res.status / 100) !== 2 || !payload.ok) {
    const code = payload?.error_code ?? 0;
    const desc = payload?.description ?? '';
    if (code === 403 && (desc === 'Forbidden: bot was blocked by the user' || desc === 'Forbidden: user is deactivated')) throw sendErrors.contactStopped();
    if (code > 0) throw sendErrors.failedWithReason(String(code), desc);
    throw sendErrors.responseStatus();
  }
  const id = payload.result?.message_id;
  if (typeof id === 'number' && id > 0) return String(id);
  throw sendErrors.responseContent();
}

/** Lays quick replies out in rows: one row if they fit, else one per row (≤ maxRows), else packed. */
export function quickRepliesToRows(replies: QuickReply[], maxRows: number, maxRowChars: number, padding: number): QuickReply[][] {
  const width = (q: QuickReply) => [...quickReplyText(q)].length + padding * 2;
  if (replies.reduce((n, q) => n + width(q), 0) <= maxRowChars) return [replies];
  if (replies.length <= maxRows) return replies.map((q) => [q]);
  const rows: QuickReply[][] = [[]];
  let used = 0;
  for (const q of replies) {
    const w = width(q);
    if (used + w > maxRowChars && rows[rows.length - 1].length > 0 && rows.length < maxRows) {
      rows.push([]);
      used = 0;
    }
    rows[rows.length - 1].push(q);
    used += w;
  }
  return rows;
}

function buildKeyboard(qrs: QuickReply[], rec: SendRecorder): unknown {
  const urlsOnly = qrs.every((q) => (q.type ?? 'text') === 'url');
  if (urlsOnly) {
    const valid = qrs.filter((q) => {
      if (!q.extra) {
        rec.error('quick_reply', 'quick reply of type url is missing its extra value and can\'t be sent');
        return false;
      }
      if (!isValidButtonURL(q.extra)) {
        rec.error('quick_reply', `quick reply of type url has an invalid URL and can't be sent: ${q.extra}`);
        return false;
      }
      return true;
    });
    if (!valid.length) return null;
    return { inline_keyboard: quickRepliesToRows(valid, 5, 30, 2).map((row) => row.map((q) => ({ text: quickReplyText(q), url: q.extra }))) };
  }
  const supported = qrs.filter((q) => {
    const type = q.type ?? 'text';
    if (!['text', 'location', 'form'].includes(type)) {
      rec.error('quick_reply', `quick reply of type ${type} isn't supported by this channel and can't be sent`);
      return false;
    }
    if (type === 'form' && !q.extra) {
      rec.error('quick_reply', 'quick reply of type form is missing its extra value and can\'t be sent');
      return false;
    }
    return true;
  });
  if (!supported.length) return null;
  let hasForm = false;
  let hasLocation = false;
  const keyboard = quickRepliesToRows(supported, 5, 30, 2).map((row) => row.map((q) => {
    const button: Record<string, unknown> = { text: quickReplyText(q) };
    if (q.type === 'location') {
      button.request_location = true;
      hasLocation = true;
    } else if (q.type === 'form') {
      button.web_app = { url: q.extra };
      hasForm = true;
    }
    return button;
  }));
  return { keyboard, resize_keyboard: true, one_time_keyboard: !hasForm && !hasLocation };
}

/** Telegram accepts http(s) URLs whose host has a dot (or is an IP) and tg:// URLs. */
export function isValidButtonURL(s: string): boolean {
  if (/\s/.test(s)) return false;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  if (u.protocol === 'tg:') return true;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  return u.hostname.includes('.') || /^\[?[0-9a-f:.]+\]?$/i.test(u.hostname);
}
