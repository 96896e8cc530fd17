import type { Modifier } from './apply.ts';

/** Opens a ticket unless the contact already has an open one; its UUID is drawn only when it opens. */
export const ticketOpenModifier = (
  newUUID: () => string, topic: { uuid: string; name: string } | null, assignee: { uuid: string; name: string } | null, note: string,
): Modifier => (contact, { log }) => {
  if (contact.tickets.some((t) => t.status === 'open')) return false;
  const uuid = newUUID();
  const ticket: Record<string, unknown> = { uuid, status: 'open', topic };
  if (assignee) ticket.assignee = assignee;
  log('ticket_opened', { ticket });
  if (note.trim()) log('ticket_note_added', { ticket_uuid: uuid, note: note.trim() });
  contact.tickets.push(assignee ? { uuid, status: 'open', topic, assignee } : { uuid, status: 'open', topic });
  return true;
};
