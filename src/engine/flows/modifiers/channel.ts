import type { ChannelAsset } from '../assets.ts';
import { encodeURN, type URN } from '../core/urns.ts';
import type { Modifier } from './apply.ts';

const PORTABLE_SCHEMES = new Set(['tel', 'whatsapp']);

/**
 * Makes a channel the preferred one: URNs it can send to get its affinity and move to the front
 * (null clears affinity on every URN).
 */
export const channelModifier = (channel: ChannelAsset | null): Modifier => (contact, { log }) => {
  if (channel && !channel.roles.includes('send')) {
    log('error', { text: "Can't set channel that can't send as the preferred channel" });
    return false;
  }
  const before = contact.urns.map((u) => encodeURN(u)).join('\n');
  if (!channel) {
    for (const u of contact.urns) u.channel = undefined;
  } else {
    const first: URN[] = [];
    const rest: URN[] = [];
    for (const u of contact.urns) {
      const supports = channel.schemes.includes(u.scheme);
      if ((PORTABLE_SCHEMES.has(u.scheme) && supports) || (!u.channel && supports)) u.channel = channel;
      (u.channel?.uuid === channel.uuid ? first : rest).push(u);
    }
    contact.urns = [...first, ...rest];
  }
  const after = contact.urns.map((u) => encodeURN(u));
  if (after.join('\n') === before) return false;
  log('contact_urns_changed', { urns: after });
  return true;
};
