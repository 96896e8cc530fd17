import type { SessionAssets } from './assets.ts';
import { normalizeTime } from './core/time.ts';
import { check, collect } from './definition/validate.ts';
import { inputFromMsgEvent, type MsgInput } from './input.ts';

export const TRIGGER_TYPES = ['manual', 'msg', 'flow_action', 'campaign', 'channel', 'ticket', 'optin', 'call', 'chat'];

/** A trigger in goflow's JSON shape; kept as read so it is written back unchanged. */
export type Trigger = Record<string, any> & { type: string; flow: { uuid: string; name: string }; triggered_on: string };

const requiredByType: Record<string, string[]> = {
  flow_action: ['run_summary'],
  ticket: ['ticket'],
  channel: ['event'],
};

/** Event types a trigger's event must have. */
const eventTypeByTrigger: Record<string, string> = { campaign: 'campaign_fired' };

/** Validates and normalises trigger JSON; throws an Error with goflow's wording when invalid. */
export function readTrigger(json: unknown): Trigger {
  const t = { ...(json as Record<string, any>) };
  if (!TRIGGER_TYPES.includes(t.type)) throw new Error(`unknown type: '${t.type}'`);
  const errors = collect(
    check.required('flow', t.flow),
    ...(requiredByType[t.type] ?? []).map((f) => check.required(f, t[f])),
  );
  if (t.type === 'msg' && t.keyword_match) errors.push(...collect(check.required('keyword_match.type', t.keyword_match.type)));
  if (errors.length) throw new Error(errors.join(', '));
  const eventType = eventTypeByTrigger[t.type];
  if (eventType && t.event?.type !== eventType) throw new Error(`${t.type} trigger event must be of type ${eventType}`);
  if (typeof t.triggered_on === 'string') t.triggered_on = normalizeTime(t.triggered_on) ?? t.triggered_on;
  if (t.event) t.event = normalizeEvent(t.event);
  return t as Trigger;
}

const MSG_IN_FIELDS = ['urn', 'channel', 'text', 'attachments', 'external_id', 'payload'];

/** A caller-supplied event (msg_received, campaign_fired...) as goflow writes it back. */
export function normalizeEvent(event: Record<string, any>): Record<string, any> {
  const e = { ...event };
  if (typeof e.created_on === 'string') e.created_on = normalizeTime(e.created_on) ?? e.created_on;
  if (e.type === 'msg_received' && e.msg) {
    e.msg = Object.fromEntries(Object.entries(e.msg).filter(([k, v]) => MSG_IN_FIELDS.includes(k) && v !== undefined && v !== ''));
  }
  return e;
}

/** The input a trigger supplies (only msg triggers have one). */
export function triggerInput(trigger: Trigger, assets: SessionAssets): MsgInput | null {
  return trigger.type === 'msg' && trigger.event ? inputFromMsgEvent(trigger.event, assets) : null;
}

/** Params exposed as @trigger.params (chat triggers take the event's params). */
export function triggerParams(trigger: Trigger): unknown {
  if (trigger.type === 'chat') return trigger.event?.params ?? {};
  return trigger.params ?? {};
}
