import type { Modifier } from './apply.ts';

/** Moves last-seen forward (never back). */
export const seenModifier = (seenOn: string): Modifier => (contact, { log }) => {
  if (contact.lastSeenOn && Date.parse(seenOn) <= Date.parse(contact.lastSeenOn)) return false;
  contact.lastSeenOn = seenOn;
  log('contact_last_seen_changed', { last_seen_on: seenOn });
  return true;
};
