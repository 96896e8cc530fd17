// T (Twilio) send: POST /2010-04-01/Accounts/<sid>/Messages.json with basic auth (account SID and
// auth token), To/From (or MessagingServiceSid)/Body/MediaUrl and a StatusCallback pointing back at
// /c/t/<channel>/status?uuid=<msg>&action=callback.
import { formEncode } from '../encoding.ts';
import { configBool, configInt, configString, runSend, sendErrors, splitAttachment, splitText, urnPath } from '../support.ts';
import type { SendContext, SendResult } from '../types.ts';

export const TWILIO_API = 'https://api.twilio.com';
/** Twilio error code meaning the recipient replied STOP. */
export const ERROR_STOPPED = 21610;
/**
 * Twilio error code for a rate-limited (queue overflow) WhatsApp message. It arrives on status
 * callbacks (the message becomes errored, so it is retried); a send answered with it fails, as in courier.
 */
export const ERROR_THROTTLED = 63018;

export function callbackURL(base: string, typeCode: string, channelUuid: string, msgUuid: string): string {
  return `${base.replace(/\/+$/, '')}/c/${typeCode.toLowerCase()}/${channelUuid}/status?uuid=${msgUuid}&action=callback`;
}

export async function sendT(ctx: SendContext): Promise<SendResult> {
  const { channel, msg, http } = ctx;
  return runSend(async (rec) => {
    const sid = configString(channel, 'account_sid');
    const token = configString(channel, 'auth_token');
    if (!sid || !token) throw sendErrors.channelConfig();
    const url = `${TWILIO_API}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`;
    const statusCallback = callbackURL(ctx.callbackBaseUrl, channel.type || 'T', channel.uuid, msg.uuid);
    const serviceSid = configString(channel, 'messaging_service_sid');
    const auth = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;

    const parts = splitText(msg.text, configInt(channel, 'max_length', 1600));
    for (let i = 0; i < parts.length; i++) {
      const form: Record<string, string | string[]> = { To: urnPath(msg.urn), Body: parts[i], StatusCallback: statusCallback };
      if (i === 0 && msg.attachments.length) form.MediaUrl = msg.attachments.map((a) => splitAttachment(a).url);
      if (serviceSid) {
        if (configBool(channel, 'link_shortening')) form.ShortenUrls = 'true';
        form.MessagingServiceSid = serviceSid;
      }
      if (channel.address) form.From = channel.address;
      const sorted = Object.fromEntries(Object.keys(form).sort().map((k) => [k, form[k]]));

      const res = rec.track(await http.request({
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', Authorization: auth },
        body: formEncode(sorted),
        redact: [auth, token],
      }));
      if (res.status === 0 || Math.floor(res.status / 100) === 5) throw sendErrors.connectionFailed();
      if (res.status === 429) throw sendErrors.throttled();
      let payload: { code?: number; message?: string; sid?: string } = {};
      try {
        payload = JSON.parse(res.body) ?? {};
      } catch {
        payload = {};
      }
      if (Math.floor(res.status / 100) !== 2) {
        const code = Number(payload.code ?? 0);
        if (code === ERROR_STOPPED) throw sendErrors.contactStopped();
        if (code) throw sendErrors.failedWithReason(String(code), payload.message || `Service specific error: ${code}.`);
        throw sendErrors.responseStatus();
      }
      if (typeof payload.sid === 'string' && payload.sid) rec.addExternalId(payload.sid);
      else rec.error('response_value_missing', "Unable to find 'sid' response.");
    }
  });
}
