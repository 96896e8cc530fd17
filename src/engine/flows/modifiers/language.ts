import type { Modifier } from './apply.ts';

export const languageModifier = (language: string): Modifier => (contact, { log }) => {
  if (contact.language === language) return false;
  contact.language = language;
  log('contact_language_changed', { language });
  return true;
};
