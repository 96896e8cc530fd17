import { truncate } from '../core/results.ts';
import type { Modifier } from './apply.ts';

const MAX_NAME_CHARS = 128;

export const nameModifier = (name: string): Modifier => (contact, { log }) => {
  if (contact.name === name) return false;
  contact.name = truncate(name, MAX_NAME_CHARS);
  log('contact_name_changed', { name: contact.name });
  return true;
};
