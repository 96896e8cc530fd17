import type { Modifier } from './apply.ts';

export const ticketAssigneeModifier = (ticketUUID: string, assignee: { uuid: string; name: string } | null): Modifier => (contact, { log }) => {
  const ticket = contact.tickets.find((t) => t.uuid === ticketUUID);
  if (!ticket || (ticket.assignee?.uuid ?? null) === (assignee?.uuid ?? null)) return false;
  const previous = ticket.assignee ? { uuid: ticket.assignee.uuid, name: ticket.assignee.name } : null;
  if (assignee) ticket.assignee = assignee;
  else delete ticket.assignee;
  const fields: Record<string, unknown> = { ticket_uuid: ticketUUID, assignee };
  if (previous) fields.previous = previous;
  log('ticket_assignee_changed', fields);
  return true;
};
