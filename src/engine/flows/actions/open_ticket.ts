import { dependencyError } from '../core/events.ts';
import type { ActionDef } from '../definition/flow.ts';
import { ticketOpenModifier } from '../modifiers/ticket_open.ts';
import { modifyContact, resolveUser, str } from './support/helpers.ts';
import { defineAction, uuidRefs, ONLINE } from './support/types.ts';

interface OpenTicket extends ActionDef {
  topic?: { uuid: string; name: string };
  assignee?: { uuid?: string; name?: string; email?: string };
  note?: string;
}

/** Opens a ticket (one open ticket per contact); local `_new_ticket` holds its UUID or ''. */
export default defineAction<OpenTicket>({
  type: 'open_ticket',
  flowTypes: ONLINE,
  inspect: (a, add) => {
    uuidRefs('topic', a.topic, add);
    uuidRefs('user', a.assignee, add);
    add.local('_new_ticket');
  },
  textFields: [{ name: 'assignee', refs: true }, { name: 'note', evaluated: true }],
  execute(run, _step, a, log) {
    const assets = run.session.assets;
    const topicAsset = a.topic ? assets.topic(a.topic.uuid) : assets.topics.find((t) => t.name === 'General');
    const assignee = a.assignee ? resolveUser(run, a.assignee, log) : undefined;
    const note = run.evaluate(str(a.note), log)[0].trim();

    let ticketUUID = '';
    if (run.session.batchStart) {
      log('error', { text: "Can't open tickets during batch starts" });
    } else if (a.topic && !topicAsset) {
      log('error', dependencyError('topic', a.topic));
    } else {
      const topic = topicAsset ? { uuid: topicAsset.uuid, name: topicAsset.name } : null;
      const user = assignee ? { uuid: assignee.uuid, name: assignee.name } : null;
      if (modifyContact(run, ticketOpenModifier(run.session.newUUID, topic, user, note), log)) {
        ticketUUID = run.contact.lastOpenTicket()?.uuid ?? '';
      }
    }
    run.locals._new_ticket = ticketUUID;
  },
});
