import type { FieldAsset } from '../assets.ts';
import type { FieldValue } from '../core/contact.ts';
import { parseFieldValue } from '../core/fields.ts';
import type { Modifier } from './apply.ts';

function sameValue(a: FieldValue | undefined, b: FieldValue | null): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b);
}

/** Sets (or clears, with '') a field, parsing the text into every representation. */
export const fieldModifier = (field: FieldAsset, value: string): Modifier => (contact, { env, options, log }) => {
  const parsed = parseFieldValue(value, field, contact, env, options.maxFieldChars);
  if (sameValue(contact.fields[field.key], parsed)) return false;
  if (parsed) contact.fields[field.key] = parsed;
  else delete contact.fields[field.key];
  log('contact_field_changed', { field: { key: field.key, name: field.name }, value: parsed });
  return true;
};
