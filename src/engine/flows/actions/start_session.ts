import { dependencyError } from '../core/events.ts';
import type { Run } from '../run.ts';
import { resolveRecipients, validateRecipients, type OtherContacts } from './support/recipients.ts';
import { RECIPIENT_FIELDS, defineAction, uuidRefs, ONLINE } from './support/types.ts';

const MAX_ANCESTORS_SINCE_INPUT = 5;

interface StartSession extends OtherContacts {
  flow: { uuid: string; name: string };
  exclusions?: { in_a_flow?: boolean };
  create_contact?: boolean;
}

/** The summary of a run handed to sessions it starts (their @parent). */
export function runSummary(run: Run): Record<string, unknown> {
  return {
    uuid: run.uuid, flow: run.flowRef, contact: run.contact.toJSON(), status: run.status,
    results: structuredClone(run.results),
  };
}

/** History of a session this session starts. */
function childHistory(run: Run) {
  const session = run.session;
  const h = (session.trigger.history ?? {}) as { ancestors?: number; ancestors_since_input?: number };
  const hadInput = session.runs.some((r) => r.hadInput);
  return {
    parent_uuid: session.uuid,
    ancestors: (h.ancestors ?? 0) + 1,
    ancestors_since_input: hadInput ? 0 : (h.ancestors_since_input ?? 0) + 1,
  };
}

export default defineAction<StartSession>({
  type: 'start_session',
  flowTypes: ONLINE,
  inspect: (a, add) => {
    uuidRefs('group', a.groups, add);
    uuidRefs('contact', a.contacts, add);
    uuidRefs('flow', a.flow, add);
  },
  textFields: RECIPIENT_FIELDS,
  validate: validateRecipients,
  execute(run, _step, a, log) {
    const r = resolveRecipients(run, a, log);
    const flow = run.session.assets.flow(a.flow.uuid);
    if (flow instanceof Error) {
      log('error', dependencyError('flow', a.flow));
      return;
    }
    if (run.session.batchStart && (r.groups.length || r.contactQuery)) {
      log('error', { text: "Can't start new sessions for groups or queries during batch starts" });
      return;
    }
    const history = run.session.trigger.history as { ancestors_since_input?: number } | undefined;
    if ((history?.ancestors_since_input ?? 0) >= MAX_ANCESTORS_SINCE_INPUT) {
      log('error', { text: 'Too many sessions have been spawned since the last time input was received' });
      return;
    }
    if (!(r.urns.length || r.groups.length || r.contacts.length || a.contact_query || a.create_contact)) return;

    const fields: Record<string, unknown> = { flow: flow.ref };
    if (r.groups.length) fields.groups = r.groups;
    if (r.contacts.length) fields.contacts = r.contacts;
    if (r.contactQuery) fields.contact_query = r.contactQuery;
    fields.exclusions = a.exclusions?.in_a_flow ? { in_a_flow: true } : {};
    if (a.create_contact) fields.create_contact = true;
    if (r.urns.length) fields.urns = r.urns;
    fields.run_summary = runSummary(run);
    fields.history = childHistory(run);
    log('session_triggered', fields);
  },
});
