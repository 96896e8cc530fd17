// NX (Vonage, formerly Nexmo) send: POST https://rest.nexmo.com/sms/json with api_key/api_secret,
// from/to without '+', text/unicode type, and a delivery receipt callback to /c/nx/<uuid>/status.
import { formEncode } from '../encoding.ts';
import {
  configInt, configString, errorFromResponse, isGSM7, runSend, sendErrors, splitText, textAndAttachments, urnPath,
} from '../support.ts';
import type { SendContext, SendResult } from '../types.ts';

export const VONAGE_SMS_URL = 'https://rest.nexmo.com/sms/json';
const THROTTLED_RE = /Throughput Rate Exceeded - please wait \[ (\d+) \] and retry/;

/** Vonage SMS API response status codes (developer.vonage.com, SMS API error codes). */
export const SEND_ERROR_CODES: Record<number, string> = {
  1: 'Throttled', 2: 'Missing Parameters', 3: 'Invalid Parameters', 4: 'Invalid Credentials', 5: 'Internal Error',
  6: 'Invalid Message', 7: 'Number Barred', 8: 'Partner Account Barred', 9: 'Partner Quota Violation',
  10: 'Too Many Existing Binds', 11: 'Account Not Enabled For HTTP', 12: 'Message Too Long', 14: 'Invalid Signature',
  15: 'Invalid Sender Address', 22: 'Invalid Network Code', 23: 'Invalid Callback URL', 29: 'Non-Whitelisted Destination',
  32: 'Signature And API Secret Disallowed', 33: 'Number De-activated',
};
/** Codes that describe a temporary condition on Vonage's side: retry rather than fail. */
const RETRYABLE_SEND_CODES = new Set([1, 5]);

export async function sendNX(ctx: SendContext): Promise<SendResult> {
  const { channel, msg, http } = ctx;
  return runSend(async (rec) => {
    const apiKey = configString(channel, 'nexmo_api_key');
    const apiSecret = configString(channel, 'nexmo_api_secret');
    if (!apiKey || !apiSecret) throw sendErrors.channelConfig();
    const callback = `${ctx.callbackBaseUrl.replace(/\/+$/, '')}/c/nx/${channel.uuid}/status`;
    const text = textAndAttachments(msg);
    const type = isGSM7(text) ? 'text' : 'unicode';
    for (const part of splitText(text, configInt(channel, 'max_length', 1600))) {
      const form = {
        api_key: apiKey,
        api_secret: apiSecret,
        callback,
        from: channel.address.replace(/^\+/, ''),
        'status-report-req': '1',
        text: part,
        to: urnPath(msg.urn).replace(/^\+/, ''),
        type,
      };
      const res = rec.track(await http.request({
        method: 'POST',
        url: VONAGE_SMS_URL,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: formEncode(form),
        redact: [apiSecret],
      }));
      if (THROTTLED_RE.test(res.body)) throw sendErrors.throttled();
      const err = errorFromResponse(res);
      if (err) throw err;
      let first: Record<string, unknown> | undefined;
      try {
        first = (JSON.parse(res.body) as { messages?: Record<string, unknown>[] }).messages?.[0];
      } catch {
        first = undefined;
      }
      const status = first && first.status !== undefined ? String(first.status) : '';
      if (status !== '0') {
        const code = Number.parseInt(status, 10);
        const reason = SEND_ERROR_CODES[code] ?? (typeof first?.['error-text'] === 'string' ? (first['error-text'] as string) : '');
        if (RETRYABLE_SEND_CODES.has(code)) throw sendErrors.retryableWithReason(`send:${status}`, reason);
        throw sendErrors.failedWithReason(`send:${status}`, reason);
      }
      if (typeof first?.['message-id'] === 'string') rec.addExternalId(first['message-id'] as string);
    }
  });
}
