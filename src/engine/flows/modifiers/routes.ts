import type { ChannelAsset } from '../assets.ts';
import type { Contact } from '../core/contact.ts';
import { encodeURN, identity, normalizeURN, parseURNString, validateURN } from '../core/urns.ts';
import type { Modifier, ModifierContext } from './apply.ts';

const MAX_CONTACT_URNS = 50;

export interface Route { urn: string; channel?: ChannelAsset }
export type RoutesModification = 'append' | 'remove' | 'set';

function normalized(urn: string, country: string): string {
  const p = parseURNString(urn);
  return p ? normalizeURN(p.scheme, p.path, country) : urn;
}

/** Whether the contact may have the URN: already has it, or the host lets it be claimed. */
function claim(contact: Contact, urn: string, ctx: ModifierContext): boolean {
  if (contact.urns.some((u) => identity(u) === urn)) return true;
  if (ctx.services.claimURN && !ctx.services.claimURN(contact, urn)) {
    ctx.log('error', { text: 'URN is taken by another contact', code: 'urn:taken', extra: { urn } });
    return false;
  }
  return true;
}

const toURN = (urn: string, channel?: ChannelAsset) => {
  const p = parseURNString(urn)!;
  return { scheme: p.scheme, path: p.path, channel };
};

/**
 * Appends, removes or replaces the contact's URNs (each with an optional channel affinity): URNs
 * are normalised and validated, new ones claimed through the host, 50 at most per contact.
 */
export const routesModifier = (routes: Route[], mode: RoutesModification): Modifier => (contact, ctx) => {
  const country = ctx.env.defaultCountry ?? '';
  const valid: Route[] = [];
  for (const r of routes) {
    const urn = normalized(r.urn, country);
    if (validateURN(urn)) {
      ctx.log('error', { text: `'${urn}' is not valid URN`, code: 'urn:invalid', extra: { urn } });
      continue;
    }
    valid.push({ urn, channel: r.channel });
  }

  let modified = false;
  const has = (urn: string) => contact.urns.some((u) => identity(u) === urn);
  if (mode === 'append') {
    for (const r of valid) {
      if (!has(r.urn) && contact.urns.length >= MAX_CONTACT_URNS) {
        ctx.log('error', { text: `Contact has too many URNs, limit is ${MAX_CONTACT_URNS}` });
        break;
      }
      if (!claim(contact, r.urn, ctx) || has(r.urn)) continue;
      contact.urns.push(toURN(r.urn, r.channel));
      modified = true;
    }
  } else if (mode === 'remove') {
    for (const r of valid) {
      if (!has(r.urn)) continue;
      contact.urns = contact.urns.filter((u) => identity(u) !== r.urn);
      modified = true;
    }
  } else {
    const next = [];
    for (const r of valid) {
      if (!claim(contact, r.urn, ctx)) continue;
      const channel = r.channel ?? contact.urns.find((u) => identity(u) === r.urn)?.channel;
      next.push(toURN(r.urn, channel));
    }
    const same = next.length === contact.urns.length
      && next.every((u, i) => identity(u) === identity(contact.urns[i]) && u.channel?.uuid === contact.urns[i].channel?.uuid);
    if (!same) {
      contact.urns = next;
      modified = true;
    }
  }
  if (modified) ctx.log('contact_urns_changed', { urns: contact.urns.map((u) => encodeURN(u)) });
  return modified;
};
