// NX (Vonage) callbacks, GET or POST (form or JSON):
//   /c/nx/<uuid>/receive   msisdn, to, text, messageId
//   /c/nx/<uuid>/status    messageId, status, err-code (delivery receipts)
import { ignored, jsonBody, msgAccepted, newMsg, phoneURN, readForm, requestError, statusAccepted } from '../support.ts';
import type { ChannelError, IncomingRequest, IncomingStatus, IncomingStatusEvent, ReceiveContext, ReceiveResult } from '../types.ts';

const STATUS_MAPPING: Record<string, IncomingStatus> = {
  failed: 'failed', expired: 'failed', rejected: 'failed', buffered: 'sent', accepted: 'sent', unknown: 'wired', delivered: 'delivered',
};

/** Vonage delivery receipt error codes (developer.vonage.com, DLR error codes). */
export const DLR_ERROR_CODES: Record<number, string> = {
  1: 'Unknown', 2: 'Absent Subscriber - Temporary', 3: 'Absent Subscriber - Permanent', 4: 'Call Barred by User',
  5: 'Portability Error', 6: 'Anti-Spam Rejection', 7: 'Handset Busy', 8: 'Network Error', 9: 'Illegal Number',
  10: 'Illegal Message', 11: 'Unroutable', 12: 'Destination Unreachable', 13: 'Subscriber Age Restriction',
  14: 'Number Blocked by Carrier', 15: 'Prepaid Insufficient Funds', 16: 'Gateway Quota Exceeded', 50: 'Entity Filter',
  51: 'Header Filter', 52: 'Content Filter', 53: 'Consent Filter', 54: 'Regulation Error', 99: 'General Error',
};

async function fields(req: IncomingRequest): Promise<URLSearchParams> {
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  if (ct.includes('json') && req.body.raw) {
    const out = new URLSearchParams();
    const parsed = jsonBody(req);
    if (parsed && typeof parsed === 'object') {
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof v === 'string' || typeof v === 'number') out.append(k, String(v));
      }
    }
    for (const [k, v] of Object.entries(req.query)) out.append(k, v);
    return out;
  }
  return readForm(req);
}

export async function receiveNX(ctx: ReceiveContext): Promise<ReceiveResult> {
  const channel = ctx.channel!;
  let form: URLSearchParams;
  try {
    form = await fields(ctx.request);
  } catch (e) {
    return requestError(`invalid request: ${(e as Error).message}`);
  }
  if (ctx.action === 'receive') {
    if (!form.get('to')) return ignored('no to parameter, ignored');
    let urn: string;
    try {
      urn = phoneURN(form.get('msisdn') ?? '', channel.country);
    } catch (e) {
      return requestError((e as Error).message);
    }
    const msg = newMsg(channel, { urn, text: form.get('text') ?? '', externalId: form.get('messageId') || null, receivedOn: (ctx.now ?? (() => new Date()))() });
    return msgAccepted(channel, [msg]);
  }
  if (ctx.action === 'status') {
    const id = form.get('messageId') ?? '';
    if (!id) return ignored('no messageId parameter, ignored');
    const status = STATUS_MAPPING[form.get('status') ?? ''];
    if (!status) return ignored('ignoring unknown status report');
    const ev: IncomingStatusEvent = { kind: 'status', externalId: id, status };
    const errCode = Number.parseInt(form.get('err-code') ?? '0', 10) || 0;
    if (errCode) {
      const e: ChannelError = { code: 'external', extCode: `dlr:${errCode}`, message: DLR_ERROR_CODES[errCode] ?? '' };
      ev.errors = [e];
    }
    return statusAccepted(channel, [ev]);
  }
  return requestError(`unknown action '${ctx.action}'`, 404);
}
