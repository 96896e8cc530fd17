import { randomUUID } from 'node:crypto';

/**
 * A minimal flow definition for runtime tests: sends `greeting`, then (when `ask`) waits for one
 * reply saved as the result "Answer". `extra` adds top-level keys (e.g. `ignore_triggers`).
 */
export function greetingFlow(uuid: string, name: string, greeting: string, ask: boolean, extra: Record<string, unknown> = {}) {
  const n = () => randomUUID();
  const [a, w] = [n(), n()];
  const all = { uuid: n(), name: 'All Responses', exit_uuid: n() };
  return {
    uuid, name, spec_version: '13.1.0', language: 'eng', type: 'messaging', expire_after_minutes: 60, localization: {}, ...extra,
    nodes: [
      { uuid: a, actions: [{ uuid: n(), type: 'send_msg', text: greeting }], exits: [{ uuid: n(), ...(ask && { destination_uuid: w }) }] },
      ...(ask ? [{ uuid: w, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Answer', default_category_uuid: all.uuid, wait: { type: 'msg' }, cases: [], categories: [all] }, exits: [{ uuid: all.exit_uuid }] }] : []),
    ],
  };
}
