import type { Modifier } from './apply.ts';

export const timezoneModifier = (timezone: string): Modifier => (contact, { log }) => {
  if (contact.timezone === timezone) return false;
  contact.timezone = timezone;
  log('contact_timezone_changed', { timezone });
  return true;
};
