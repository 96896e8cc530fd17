import { encodeURN, identity, normalizeURN, parseURNString, validateURN } from '../core/urns.ts';
import type { Modifier } from './apply.ts';

const MAX_CONTACT_URNS = 50;

/** Appends URNs (validated, claimed through the host, capped at 50 per contact). */
export const urnsAppendModifier = (urns: string[]): Modifier => (contact, { services, env, log }) => {
  let modified = false;
  for (const raw of urns) {
    const p = parseURNString(raw);
    const urn = p ? normalizeURN(p.scheme, p.path, env.defaultCountry ?? '') : raw;
    if (!p || validateURN(urn)) {
      log('error', { text: `'${urn}' is not valid URN`, code: 'urn:invalid', extra: { urn } });
      continue;
    }
    const has = contact.urns.some((u) => identity(u) === urn);
    if (!has && contact.urns.length >= MAX_CONTACT_URNS) {
      log('error', { text: `Contact has too many URNs, limit is ${MAX_CONTACT_URNS}` });
      break;
    }
    if (has) continue;
    if (services.claimURN && !services.claimURN(contact, urn)) {
      log('error', { text: 'URN is taken by another contact', code: 'urn:taken', extra: { urn } });
      continue;
    }
    const parts = parseURNString(urn)!;
    contact.urns.push({ scheme: parts.scheme, path: parts.path });
    modified = true;
  }
  if (modified) log('contact_urns_changed', { urns: contact.urns.map((u) => encodeURN(u)) });
  return modified;
};
