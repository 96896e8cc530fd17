import type { Environment } from '../../environment.ts';
import type { FieldAsset } from '../assets.ts';
import { parseDateTimeFilled, parseNumber } from '../expressions.ts';
import type { Contact, FieldValue } from './contact.ts';
import { isPossibleLocationPath, LEVEL_DISTRICT, LEVEL_STATE, LEVEL_WARD, type Location } from './locations.ts';
import { truncate } from './results.ts';

/** The location already stored in the first field of a given type, used as a fuzzy-search parent. */
function parentLocation(contact: Contact, type: string): Location | null {
  const field = contact.assets.fields.find((f) => f.type === type);
  const value = field && contact.fields[field.key];
  const path = value?.[type as 'state' | 'district'];
  return path ? contact.assets.locationResolver.lookupPath(path) ?? null : null;
}

function locationFor(raw: string, field: FieldAsset, contact: Contact): Location | undefined {
  const locations = contact.assets.locationResolver;
  if (!contact.assets.locations.length) return undefined;
  if (isPossibleLocationPath(raw)) return locations.lookupPath(raw);
  if (field.type === 'ward') {
    const parent = parentLocation(contact, 'district');
    return parent ? locations.findFuzzy(raw, LEVEL_WARD, parent)[0] : undefined;
  }
  if (field.type === 'district') {
    const parent = parentLocation(contact, 'state');
    return parent ? locations.findFuzzy(raw, LEVEL_DISTRICT, parent)[0] : undefined;
  }
  if (field.type === 'state') return locations.findFuzzy(raw, LEVEL_STATE, null)[0];
  return undefined;
}

/** Parses raw text into a field value with every representation it supports; '' clears. */
export function parseFieldValue(
  raw: string, field: FieldAsset, contact: Contact, env: Environment, maxChars: number,
): FieldValue | null {
  if (raw === '') return null;
  const value: FieldValue = { text: truncate(raw, maxChars) };
  const datetime = parseDateTimeFilled(raw, env);
  if (datetime) value.datetime = datetime;
  const number = parseNumber(raw, env);
  if (number !== null) value.number = number;
  const loc = locationFor(raw, field, contact);
  if (loc) {
    const chain: Location[] = [];
    for (let l: Location | null = loc; l && l.level > 0; l = l.parent) chain.unshift(l);
    for (const l of chain) {
      if (l.level === LEVEL_STATE) value.state = l.path;
      if (l.level === LEVEL_DISTRICT) value.district = l.path;
      if (l.level === LEVEL_WARD) value.ward = l.path;
    }
  }
  return value;
}
