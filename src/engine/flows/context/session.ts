import type { Environment } from '../../environment.ts';
import type { SessionAssets } from '../assets.ts';
import { lazy, X, type XVal } from '../expressions.ts';
import type { MsgInput } from '../input.ts';
import type { Resume } from '../resumes.ts';
import type { WebhookCall } from '../run.ts';
import type { Trigger } from '../triggers.ts';
import { triggerParams } from '../triggers.ts';
import { lastTicketContext, userContext } from './contact.ts';
import { parseURNString } from '../core/urns.ts';

export function inputContext(input: MsgInput | null, env: Environment): XVal {
  if (!input) return null;
  const parts = [input.text, ...(input.attachments ?? []).map((a) => a.slice(a.indexOf(':') + 1))].filter((p) => p !== '');
  const urn = input.urn ? parseURNString(input.urn) : null;
  const channel = input.channel;
  return X.object({
    type: X.text(input.type),
    uuid: X.text(input.uuid),
    created_on: lazy(() => X.force(X.datetime(input.created_on))),
    channel: channel ? X.object({ uuid: X.text(channel.uuid), name: X.text(channel.name), address: X.text('') }, X.text(channel.name)) : null,
    urn: urn ? X.text(env.redactionPolicy === 'urns' ? `${urn.scheme}:********` : input.urn!) : null,
    text: X.text(input.text),
    attachments: lazy(() => X.force(X.array((input.attachments ?? []).map((a) => X.text(a))))),
    external_id: X.text(input.external_id ?? ''),
    payload: lazy(() => X.force(input.payload !== undefined && input.payload !== null ? X.json(input.payload) : X.object({}))),
  }, X.text(parts.join('\n')));
}

export function triggerContext(trigger: Trigger, assets: SessionAssets): XVal {
  let user: XVal = null;
  if (trigger.user) {
    const asset = trigger.user.uuid ? assets.user(trigger.user.uuid) : undefined;
    user = userContext(asset ?? trigger.user);
  }
  let campaign: XVal = null;
  if (trigger.type === 'campaign' && trigger.event?.campaign) {
    const c = trigger.event.campaign;
    campaign = X.object({ uuid: X.text(c.uuid), name: X.text(c.name) }, X.text(c.name));
  }
  let ticket: XVal = null;
  if (trigger.type === 'ticket' && trigger.ticket) {
    const t = trigger.ticket;
    ticket = X.object({
      uuid: X.text(t.uuid),
      topic: t.topic ? X.object({ uuid: X.text(t.topic.uuid), name: X.text(t.topic.name) }, X.text(t.topic.name)) : null,
      assignee: t.assignee ? userContext(assets.user(t.assignee.uuid) ?? t.assignee) : null,
    });
  }
  return X.object({
    type: X.text(trigger.type),
    params: X.json(triggerParams(trigger)),
    keyword: X.text(trigger.type === 'msg' ? trigger.keyword_match?.keyword ?? '' : ''),
    user,
    origin: X.text(trigger.origin ?? ''),
    campaign,
    ticket,
  });
}

export function resumeContext(resume: Resume | null): XVal {
  if (!resume) return null;
  const dial = resume.type === 'dial' && resume.event?.dial
    ? X.object({ status: X.text(resume.event.dial.status), duration: X.number(resume.event.dial.duration ?? 0) })
    : null;
  return X.object({ type: X.text(resume.type), dial });
}

export function globalsContext(assets: SessionAssets): XVal {
  const props: Record<string, XVal> = {};
  for (const g of assets.globals) props[g.key] = X.text(g.value);
  return X.object(props, X.text(assets.globals.map((g) => `${g.name}: ${g.value}`).join('\n')));
}

export function webhookContext(w: WebhookCall | null): XVal {
  if (!w) return null;
  let json: XVal = null;
  if (w.jsonRaw) {
    try {
      json = X.json(JSON.parse(w.jsonRaw));
    } catch {
      json = null;
    }
  }
  const headers = X.object(Object.fromEntries(Object.entries(w.headers ?? {}).map(([k, v]) => [k, X.text(v)])));
  return X.object({ status: X.number(w.status), headers, json }, X.text(`${w.method} ${w.url}`));
}

export { lastTicketContext };
