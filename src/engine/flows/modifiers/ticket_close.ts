import type { Modifier } from './apply.ts';

export const ticketCloseModifier = (ticketUUID: string): Modifier => (contact, { log }) => {
  const ticket = contact.tickets.find((t) => t.uuid === ticketUUID);
  if (!ticket || ticket.status === 'closed') return false;
  ticket.status = 'closed';
  log('ticket_closed', { ticket_uuid: ticketUUID });
  return true;
};
