// EX (External API) send: a configurable URL, method and body template with {{variables}}, encoded
// for the configured content type, an optional Authorization header / extra headers, and an
// optional MT response check (the response body must contain a given string).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { queryEscape, xmlEscape } from '../encoding.ts';
import {
  configBool, configInt, configString, errorFromResponse, gsm7Substitute, isGSM7, quickRepliesOfType, runSend,
  sendErrors, splitText, textAndAttachments, urnPath,
} from '../support.ts';
import type { QuickReply, SendContext, SendResult } from '../types.ts';

export const CONTENT_TYPES: Record<string, string> = {
  urlencoded: 'application/x-www-form-urlencoded',
  json: 'application/json',
  xml: 'text/xml; charset=utf-8',
};

/** RapidPro's default body for a new External API channel. */
export const DEFAULT_SEND_BODY =
  'id={{id}}&text={{text}}&to={{to}}&to_no_plus={{to_no_plus}}&from={{from}}&from_no_plus={{from_no_plus}}&channel={{channel}}';

export async function sendEX(ctx: SendContext): Promise<SendResult> {
  const { channel, msg, http } = ctx;
  return runSend(async (rec) => {
    const sendURL = configString(channel, 'send_url');
    if (!sendURL) throw sendErrors.channelConfig();
    const encoding = configString(channel, 'encoding', 'D');
    const responseCheck = configString(channel, 'mt_response_check');
    const method = configString(channel, 'method', 'POST').toUpperCase() || 'POST';
    const bodyTemplate = configString(channel, 'body', DEFAULT_SEND_BODY);
    const maxLength = configInt(channel, 'max_length', 160);
    const contentType = configString(channel, 'content_type', 'urlencoded') || 'urlencoded';
    const contentTypeHeader = CONTENT_TYPES[contentType] ?? contentType;
    const hasBody = method === 'POST' || method === 'PUT';

    const to = urnPath(msg.urn);
    const parts = splitText(textAndAttachments(msg), maxLength);
    for (let i = 0; i < parts.length; i++) {
      const isLast = i === parts.length - 1;
      const vars: Record<string, string> = {
        id: msg.uuid,
        uuid: msg.uuid,
        text: parts[i],
        to,
        to_no_plus: to.replace(/^\+/, ''),
        from: channel.address,
        from_no_plus: channel.address.replace(/^\+/, ''),
        channel: channel.uuid,
        session_status: msg.sessionStatus ?? '',
      };
      if (configBool(channel, 'use_national')) {
        const national = toNationalPhone(to, channel.country);
        vars.to = national;
        vars.to_no_plus = national;
      }
      if (encoding === 'S') {
        const replaced = gsm7Substitute(parts[i]);
        if (isGSM7(replaced)) vars.text = replaced;
      }
      const qrs = isLast ? msg.quickReplies : [];
      const url = fill(sendURL, vars, 'urlencoded', () => quickRepliesValue(qrs, method, 'urlencoded'));
      const body = hasBody ? fill(bodyTemplate, vars, contentType, () => quickRepliesValue(qrs, method, contentType)) : undefined;

      const headers: Record<string, string> = { 'Content-Type': contentTypeHeader };
      const authorization = configString(channel, 'send_authorization');
      if (authorization) headers.Authorization = authorization;
      const extra = channel.config.headers;
      if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
        for (const [k, v] of Object.entries(extra as Record<string, unknown>)) headers[k] = String(v);
      }

      const res = rec.track(await http.request({ method, url, headers, body, redact: authorization ? [authorization] : [] }));
      const err = errorFromResponse(res);
      if (err) throw err;
      if (responseCheck && !res.body.includes(responseCheck)) throw sendErrors.responseContent();
    }
  });
}

function encode(v: string, contentType: string): string {
  if (contentType === 'json') return JSON.stringify(v);
  if (contentType === 'urlencoded') return queryEscape(v);
  if (contentType === 'xml') return xmlEscape(v);
  return v;
}

function quickRepliesValue(qrs: QuickReply[], method: string, contentType: string): string {
  const texts = quickRepliesOfType(qrs, 'text').map((q) => q.text ?? '');
  const withBody = method === 'POST' || method === 'PUT';
  if (withBody && contentType === 'json') return JSON.stringify(texts);
  if (withBody && contentType === 'xml') return texts.map((t) => `<item>${xmlEscape(t)}</item>`).join('');
  return texts.map((t) => `&quick_reply=${queryEscape(t)}`).join('');
}

/** A template split at its {{variables}}: literal texts at even indexes, variable names at odd ones. */
const compiled = new Map<string, string[]>();

function compile(template: string): string[] {
  let parts = compiled.get(template);
  if (!parts) {
    parts = template.split(/\{\{([a-z_]+)\}\}/);
    // templates are channel settings, so few; a bound keeps a bad caller from growing this forever
    if (compiled.size >= 500) compiled.clear();
    compiled.set(template, parts);
  }
  return parts;
}

/** The template with its variables replaced by their encoded values; only the variables it uses are encoded. */
function fill(template: string, vars: Record<string, string>, contentType: string, quickReplies: () => string): string {
  const parts = compile(template);
  if (parts.length === 1) return template;
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i];
    if (name === 'quick_replies') out += quickReplies();
    else out += Object.prototype.hasOwnProperty.call(vars, name) ? encode(vars[name], contentType) : `{{${name}}}`;
    out += parts[i + 1];
  }
  return out;
}

/** The national form of a phone number, digits only (e.g. +250788383383 in RW → 0788383383). */
export function toNationalPhone(number: string, country: string | null | undefined): string {
  const parsed = parsePhoneNumberFromString(number, (country || undefined) as CountryCode | undefined);
  if (!parsed) return number;
  return parsed.format('NATIONAL').replace(/[^0-9]/g, '');
}
