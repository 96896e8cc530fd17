import type { Modifier } from './apply.ts';

/** Reopens a closed ticket, unless the contact already has an open one. */
export const ticketReopenModifier = (ticketUUID: string): Modifier => (contact, { log }) => {
  if (contact.tickets.some((t) => t.status === 'open')) return false;
  const ticket = contact.tickets.find((t) => t.uuid === ticketUUID);
  if (!ticket || ticket.status === 'open') return false;
  ticket.status = 'open';
  log('ticket_reopened', { ticket_uuid: ticketUUID });
  return true;
};
