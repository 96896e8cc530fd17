import { normalizeTime } from './time.ts';
import type { FlowEvent } from './events.ts';

/**
 * The event catalogue: for each event type its required and optional fields (besides uuid, type,
 * created_on and the caller-added _user/_via). Used to read events back and to check that what
 * the engine emits has goflow's shapes.
 */
interface EventShape { required: string[]; optional: string[] }

const shape = (required: string[], optional: string[] = []): EventShape => ({ required, optional });

export const EVENT_TYPES: Record<string, EventShape> = {
  airtime_created: shape(['external_id', 'sender', 'recipient', 'currency', 'amount', 'http_logs']),
  broadcast_created: shape(['translations', 'base_language'], ['groups', 'contacts', 'contact_query', 'urns', 'template', 'template_variables']),
  call_created: shape(['call']),
  call_missed: shape(['channel']),
  call_received: shape(['call']),
  campaign_fired: shape(['campaign', 'point_uuid']),
  chat_started: shape(['channel'], ['params']),
  contact_field_changed: shape(['field', 'value']),
  contact_flow_changed: shape(['flow']),
  contact_groups_changed: shape([], ['groups_added', 'groups_removed']),
  contact_language_changed: shape(['language']),
  contact_last_seen_changed: shape(['last_seen_on']),
  contact_name_changed: shape(['name']),
  contact_status_changed: shape(['status']),
  contact_timezone_changed: shape(['timezone']),
  contact_urns_changed: shape(['urns']),
  dial_ended: shape(['dial']),
  dial_wait: shape(['urn', 'dial_limit_seconds', 'call_limit_seconds', 'expires_on']),
  email_sent: shape(['to', 'subject', 'body']),
  error: shape(['text'], ['code', 'extra']),
  failure: shape(['text']),
  input_labels_added: shape(['input_uuid', 'labels']),
  ivr_created: shape(['msg']),
  llm_called: shape(['llm', 'instructions', 'input', 'output', 'tokens', 'elapsed_ms']),
  msg_created: shape(['msg'], ['broadcast_uuid', 'ticket_uuid']),
  msg_deleted: shape(['msg_uuid'], ['by_contact']),
  msg_received: shape(['msg'], ['ticket_uuid']),
  msg_status_changed: shape(['msg_uuid', 'status'], ['reason']),
  msg_wait: shape(['expires_on'], ['timeout_seconds', 'hint']),
  resthook_called: shape(['resthook', 'payload']),
  run_ended: shape(['run_uuid', 'flow', 'status']),
  run_result_changed: shape(['name', 'value', 'category'], ['extra', 'previous']),
  run_started: shape(['run_uuid', 'flow'], ['parent_uuid', 'terminal']),
  session_triggered: shape(['flow', 'exclusions', 'run_summary', 'history'], ['groups', 'contacts', 'contact_query', 'create_contact', 'urns']),
  ticket_assignee_changed: shape(['ticket_uuid', 'assignee'], ['previous']),
  ticket_closed: shape(['ticket_uuid']),
  ticket_note_added: shape(['ticket_uuid', 'note']),
  ticket_opened: shape(['ticket']),
  ticket_reopened: shape(['ticket_uuid']),
  ticket_topic_changed: shape(['ticket_uuid', 'topic']),
  typing_started: shape(['direction'], ['channel', 'urn', 'msg_external_id']),
  typing_stopped: shape(['direction'], ['channel', 'urn', 'msg_external_id']),
  wait_expired: shape([]),
  wait_timed_out: shape([]),
  warning: shape(['text'], ['code', 'extra']),
  webhook_called: shape(['url', 'status', 'request', 'elapsed_ms', 'retries', 'sizes'], ['status_code', 'response', 'resthook']),
  flow_entered: shape(['flow', 'parent_run_uuid']),
};

const BASE = ['uuid', 'type', 'created_on', '_user', '_via'];

/** Problems with an event's shape (empty when it matches the catalogue). */
export function checkEventShape(event: Record<string, unknown>): string[] {
  const s = EVENT_TYPES[event.type as string];
  if (!s) return [`unknown event type '${String(event.type)}'`];
  const problems: string[] = [];
  for (const f of ['uuid', 'type', 'created_on']) if (event[f] === undefined) problems.push(`field '${f}' is required`);
  for (const f of s.required) if (event[f] === undefined) problems.push(`field '${f}' is required`);
  for (const f of Object.keys(event)) {
    if (!BASE.includes(f) && !s.required.includes(f) && !s.optional.includes(f)) problems.push(`unknown field '${f}'`);
  }
  return problems;
}

/** Reads an event, validating its shape and normalising its timestamps. */
export function readEvent(json: unknown): FlowEvent {
  const e = { ...(json as Record<string, unknown>) };
  const problems = checkEventShape(e);
  if (problems.length) throw new Error(problems.join(', '));
  for (const f of ['created_on', 'expires_on', 'last_seen_on']) {
    if (typeof e[f] === 'string') e[f] = normalizeTime(e[f] as string) ?? e[f];
  }
  return e as FlowEvent;
}
