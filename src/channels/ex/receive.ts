// EX (External API) callbacks:
//   GET|POST /c/ex/<uuid>/receive     from|sender, text, date|time (field names configurable), or XML via
//                                     from_xpath/text_xpath; JSON object bodies are read too
//   GET|POST /c/ex/<uuid>/sent|delivered|failed   id or uuid = our message UUID
//   GET|POST /c/ex/<uuid>/stopped     from → stop_contact event
import { xmlUnescape } from '../encoding.ts';
import {
  configString, eventAccepted, jsonBody, msgAccepted, newMsg, readForm, received, requestError, statusAccepted,
  urnForChannel,
} from '../support.ts';
import type { Channel, IncomingRequest, IncomingStatus, ReceiveContext, ReceiveResult } from '../types.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUS_BY_ACTION: Record<string, IncomingStatus> = { sent: 'sent', delivered: 'delivered', failed: 'failed' };

export async function receiveEX(ctx: ReceiveContext): Promise<ReceiveResult> {
  const channel = ctx.channel!;
  const now = ctx.now ?? (() => new Date());
  if (ctx.action === 'receive') return receiveMessage(channel, ctx.request, now);
  if (ctx.action in STATUS_BY_ACTION) return receiveStatus(channel, ctx.request, STATUS_BY_ACTION[ctx.action]);
  if (ctx.action === 'stopped') return receiveStopped(channel, ctx.request, now);
  return requestError(`unknown action '${ctx.action}'`, 404);
}

/** Form values plus, for JSON object bodies, their top-level scalar values. */
async function fields(req: IncomingRequest): Promise<URLSearchParams> {
  const form = await readForm(req);
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  if (ct.includes('json') && req.body.raw) {
    let parsed: unknown;
    try {
      parsed = jsonBody(req);
    } catch {
      throw new Error('unable to parse request JSON');
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const json = new URLSearchParams();
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') json.append(k, String(v));
      }
      for (const [k, v] of form) json.append(k, v);
      return json;
    }
  }
  return form;
}

function pick(form: URLSearchParams, defaults: string[], configured: string): string {
  if (configured && form.has(configured)) return form.get(configured)!;
  for (const name of defaults) if (form.has(name)) return form.get(name)!;
  return '';
}

async function receiveMessage(channel: Channel, req: IncomingRequest, now: () => Date): Promise<ReceiveResult> {
  let from = '';
  let text = '';
  let dateString = '';
  const fromXPath = configString(channel, 'from_xpath');
  const textXPath = configString(channel, 'text_xpath');
  if (fromXPath && textXPath) {
    const fromNode = xmlFind(req.body.raw ?? '', fromXPath);
    const textNode = xmlFind(req.body.raw ?? '', textXPath);
    if (fromNode === null || textNode === null) return requestError(`missing from at: ${fromXPath} or text at: ${textXPath} node`);
    from = fromNode;
    text = textNode;
  } else {
    let form: URLSearchParams;
    try {
      form = await fields(req);
    } catch (e) {
      return requestError(`invalid request: ${(e as Error).message}`);
    }
    from = pick(form, ['from', 'sender'], configString(channel, 'mo_from_field'));
    text = pick(form, ['text'], configString(channel, 'mo_text_field'));
    dateString = pick(form, ['date', 'time'], configString(channel, 'mo_date_field'));
  }
  if (!from) return requestError("must have one of 'sender' or 'from' set");

  let receivedOn = now();
  if (dateString) {
    if (!RFC3339.test(dateString) || Number.isNaN(Date.parse(dateString))) return requestError('invalid date format, must be RFC 3339');
    receivedOn = new Date(dateString);
  }
  let urn: string;
  try {
    urn = urnForChannel(channel, from);
  } catch (e) {
    return requestError((e as Error).message);
  }
  const msg = newMsg(channel, { urn, text, receivedOn });
  const moResponse = configString(channel, 'mo_response');
  if (moResponse) {
    const contentType = configString(channel, 'mo_response_content_type') || 'text/plain; charset=utf-8';
    return received({ status: 200, body: moResponse, contentType }, [msg]);
  }
  return msgAccepted(channel, [msg]);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

async function receiveStatus(channel: Channel, req: IncomingRequest, status: IncomingStatus): Promise<ReceiveResult> {
  let form: URLSearchParams;
  try {
    form = await fields(req);
  } catch (e) {
    return requestError(`invalid request: ${(e as Error).message}`);
  }
  const id = form.get('id') ?? '';
  const uuid = form.get('uuid') ?? '';
  if (!id && !uuid) return requestError('parameters id or uuid should not be empty');
  if (!UUID_RE.test(id) && !UUID_RE.test(uuid)) return requestError(`parsing failed: id '${id}' and uuid '${uuid}' are not valid UUIDs`);
  const msgUuid = (UUID_RE.test(uuid) ? uuid : id).toLowerCase();
  return statusAccepted(channel, [{ kind: 'status', msgUuid, status }]);
}

async function receiveStopped(channel: Channel, req: IncomingRequest, now: () => Date): Promise<ReceiveResult> {
  let form: URLSearchParams;
  try {
    form = await fields(req);
  } catch (e) {
    return requestError(`invalid request: ${(e as Error).message}`);
  }
  const from = form.get('from') ?? '';
  if (!from) return requestError("field 'from' required");
  let urn: string;
  try {
    urn = urnForChannel(channel, from);
  } catch (e) {
    return requestError((e as Error).message);
  }
  return eventAccepted(channel, { kind: 'channel_event', eventType: 'stop_contact', urn, occurredOn: now() });
}

/**
 * The text of the first element matching a simple XPath: `/a/b/c` (absolute) or `//c` / `//b/c`
 * (anywhere). Attributes, predicates and axes are not supported. Null when not found.
 */
export function xmlFind(xml: string, xpath: string): string | null {
  const anywhere = xpath.startsWith('//');
  const steps = xpath.replace(/^\/+/, '').split('/').filter(Boolean);
  if (!steps.length) return null;
  const doc = xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const search = (text: string, i: number, rooted: boolean): string | null => {
    const name = steps[i];
    const local = name.includes(':') ? name : `(?:[\\w.-]+:)?${escapeRe(name)}`;
    const re = new RegExp(`<(${local})(\\s[^>]*)?>([\\s\\S]*?)</\\1\\s*>|<(${local})(\\s[^>]*)?/>`, 'g');
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      if (rooted && text.slice(0, m.index).trim() !== '') return null;
      const inner = m[3] ?? '';
      if (i === steps.length - 1) return xmlUnescape(inner.replace(/<[^>]+>/g, '')).trim();
      const found = search(inner, i + 1, false);
      if (found !== null) return found;
      if (rooted) return null;
    }
    return null;
  };
  return search(doc, 0, !anywhere);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
