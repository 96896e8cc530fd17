import type { ContactStatus } from '../core/contact.ts';
import type { Modifier } from './apply.ts';

export const statusModifier = (status: ContactStatus): Modifier => (contact, { log }) => {
  if (contact.status === status) return false;
  contact.status = status;
  log('contact_status_changed', { status });
  return true;
};
