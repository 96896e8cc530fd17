import type { Modifier } from './apply.ts';

export const ticketTopicModifier = (ticketUUID: string, topic: { uuid: string; name: string } | null): Modifier => (contact, { log }) => {
  const ticket = contact.tickets.find((t) => t.uuid === ticketUUID);
  if (!ticket || (ticket.topic?.uuid ?? null) === (topic?.uuid ?? null)) return false;
  ticket.topic = topic;
  log('ticket_topic_changed', { ticket_uuid: ticketUUID, topic });
  return true;
};
