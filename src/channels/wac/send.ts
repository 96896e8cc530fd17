// WAC (WhatsApp Cloud API) send: POST https://graph.facebook.com/<version>/<phone number id>/messages
// with a bearer token. Attachments go first as media messages (a single one carries the text as its
// caption); text goes as text, reply buttons (≤3 text quick replies), a list (more, or with
// descriptions), a location request or a CTA URL button.
import {
  mediaKind, quickRepliesOfType, quickReplyText, runSend, sendErrors, splitAttachment, splitText,
  urnPath, urnScheme, type SendRecorder,
} from '../support.ts';
import type { OutgoingMsg, QuickReply, SendContext, SendResult } from '../types.ts';

export const GRAPH_URL = 'https://graph.facebook.com/v25.0';
export const THROTTLING_ERROR_CODES = [4, 80007, 130429, 131048, 131056, 133016];
/** 131053: media upload/download failure, often Meta failing to fetch our media — worth retrying. */
export const RETRYABLE_ERROR_CODES = [131053];
const MAX_TEXT = 4096;
const MAX_CAPTION_OR_BODY = 1024;

type Payload = Record<string, unknown>;

export function wacToken(ctx: { channel: { config: Record<string, unknown> } | null; settings?: { whatsappAdminSystemUserToken?: string } }): string {
  const own = ctx.channel?.config.auth_token;
  return (typeof own === 'string' && own) || ctx.settings?.whatsappAdminSystemUserToken || '';
}

export async function sendWAC(ctx: SendContext): Promise<SendResult> {
  const { channel, msg, http } = ctx;
  return runSend(async (rec) => {
    const token = wacToken(ctx);
    if (!token || !channel.address) throw sendErrors.channelConfig();
    const url = `${GRAPH_URL}/${encodeURIComponent(channel.address)}/messages`;
    let userId = '';
    for (const payload of buildPayloads(msg, rec)) {
      const res = rec.track(await http.request({
        method: 'POST',
        url,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(payload),
        redact: [token],
      }));
      if (res.status === 0 || Math.floor(res.status / 100) === 5) throw sendErrors.connectionFailed();
      if (res.status === 429) throw sendErrors.throttled();
      let body: { messages?: { id?: string }[]; contacts?: { wa_id?: string; user_id?: string }[]; error?: { code?: number; message?: string } };
      try {
        body = JSON.parse(res.body);
      } catch {
        throw sendErrors.responseUnparseable();
      }
      const code = Number(body?.error?.code ?? 0);
      if (code || body?.error?.message) {
        const message = body.error?.message ?? '';
        if (code === 429 || THROTTLING_ERROR_CODES.includes(code)) throw sendErrors.throttled();
        if (RETRYABLE_ERROR_CODES.includes(code)) throw sendErrors.retryableWithReason(String(code), message);
        throw sendErrors.failedWithReason(String(code), message);
      }
      if (Math.floor(res.status / 100) !== 2) throw sendErrors.responseStatus();
      rec.addExternalId(body?.messages?.[0]?.id);
      if (body?.contacts?.[0]?.user_id) userId = body.contacts[0].user_id;
    }
    if (userId && `whatsapp:${userId}` !== msg.urn) rec.newUrn = `whatsapp:${userId}`;
  });
}

function base(msg: OutgoingMsg): Payload {
  const path = urnPath(msg.urn);
  const bsuid = urnScheme(msg.urn) === 'bsuid' || /^[A-Z]{2}\.[a-zA-Z0-9]+$/.test(path);
  return { messaging_product: 'whatsapp', recipient_type: 'individual', ...(bsuid ? { recipient: path } : { to: path }) };
}

function truncate(rec: SendRecorder, text: string, limit: number): string {
  const chars = [...text];
  if (chars.length <= limit) return text;
  rec.error('quick_reply', `quick reply text '${text}' exceeds the ${limit} character limit and will be truncated`);
  return `${chars.slice(0, limit - 1).join('')}…`;
}

export function buildPayloads(msg: OutgoingMsg, rec: SendRecorder): Payload[] {
  const supported = msg.quickReplies.filter((q) => {
    const type = q.type ?? 'text';
    if (!['text', 'location', 'url'].includes(type)) {
      rec.error('quick_reply', `quick reply of type ${type} isn't supported by this channel and can't be sent`);
      return false;
    }
    if (type === 'url' && !q.extra) {
      rec.error('quick_reply', "quick reply of type url is missing its extra value and can't be sent");
      return false;
    }
    return true;
  });
  let textQRs = quickRepliesOfType(supported, 'text');
  const locationQRs = quickRepliesOfType(supported, 'location');
  const urlQRs = quickRepliesOfType(supported, 'url');
  const hasQRs = supported.length > 0;
  const maxLen = msg.attachments.length || hasQRs ? MAX_CAPTION_OR_BODY : MAX_TEXT;
  const parts = msg.text ? splitText(msg.text, maxLen) : [];
  if (hasQRs && !parts.length) {
    for (const q of supported) rec.error('quick_reply', `quick reply of type ${q.type ?? 'text'} can't be sent on a message with no text`);
  }
  if (!locationQRs.length && !urlQRs.length && textQRs.length > 10) {
    rec.error('quick_reply', 'too many quick replies WhatsApp supports only up to 10 quick replies');
    textQRs = textQRs.slice(0, 10);
  }
  const asList = textQRs.some((q, i) => i > 2 || !!q.extra);

  const payloads: Payload[] = [];
  for (const att of msg.attachments) {
    const { contentType, url } = splitAttachment(att);
    let kind = mediaKind(contentType);
    if (!['image', 'audio', 'video', 'application', 'document'].includes(kind)) {
      rec.error('media_unsupported', `Unsupported attachment media type: ${contentType}.`);
      continue;
    }
    if (kind === 'application') kind = 'document';
    const caption = kind !== 'audio' && parts.length === 1 && msg.attachments.length === 1 && !hasQRs ? parts[0] : '';
    const media: Record<string, string> = { link: url };
    if (caption) media.caption = caption;
    if (kind === 'document') {
      const filename = decodeURIComponent(new URL(url, 'http://x').pathname.split('/').pop() ?? '');
      if (filename) media.filename = filename;
    }
    payloads.push({ ...base(msg), type: kind, [kind]: media });
    if (caption) return payloads;
  }

  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (last && locationQRs.length) {
      payloads.push({ ...base(msg), type: 'interactive', interactive: { type: 'location_request_message', body: { text: part }, action: { name: 'send_location' } } });
    } else if (last && urlQRs.length) {
      const qr = urlQRs[0];
      payloads.push({
        ...base(msg), type: 'interactive',
        interactive: { type: 'cta_url', body: { text: part }, action: { name: 'cta_url', parameters: { display_text: truncate(rec, quickReplyText(qr), 20), url: qr.extra } } },
      });
    } else if (last && textQRs.length && !asList) {
      payloads.push({
        ...base(msg), type: 'interactive',
        interactive: {
          type: 'button', body: { text: part },
          action: { buttons: textQRs.map((q, n) => ({ type: 'reply', reply: { id: String(n), title: truncate(rec, q.text ?? '', 20) } })) },
        },
      });
    } else if (last && textQRs.length) {
      const rows = textQRs.map((q: QuickReply, n) => {
        const row: Record<string, string> = { id: String(n), title: truncate(rec, q.text ?? '', 24) };
        if (q.extra) row.description = truncate(rec, q.extra, 72);
        return row;
      });
      payloads.push({ ...base(msg), type: 'interactive', interactive: { type: 'list', body: { text: part }, action: { button: 'Menu', sections: [{ rows }] } } });
    } else {
      payloads.push({ ...base(msg), type: 'text', text: { body: part, preview_url: /https?:\/\//.test(part) } });
    }
  });
  return payloads;
}
