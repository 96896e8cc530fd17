import type { Modifier } from './apply.ts';

export const ticketNoteModifier = (ticketUUID: string, note: string): Modifier => (contact, { log }) => {
  if (!contact.tickets.some((t) => t.uuid === ticketUUID)) return false;
  log('ticket_note_added', { ticket_uuid: ticketUUID, note });
  return true;
};
