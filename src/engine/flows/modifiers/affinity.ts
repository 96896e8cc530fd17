import type { ChannelAsset } from '../assets.ts';
import { encodeURN, identity } from '../core/urns.ts';
import type { Modifier } from './apply.ts';

/** Pins one URN to a channel and makes it the contact's first URN. */
export const affinityModifier = (urn: string, channel: ChannelAsset | undefined): Modifier => (contact, { log }) => {
  const index = contact.urns.findIndex((u) => identity(u) === urn);
  if (index < 0) return false;
  const before = contact.urns.map((u) => encodeURN(u)).join('\n');
  const target = contact.urns[index];
  target.channel = channel;
  if (index > 0) contact.urns = [target, ...contact.urns.slice(0, index), ...contact.urns.slice(index + 1)];
  const after = contact.urns.map((u) => encodeURN(u));
  if (after.join('\n') === before) return false;
  log('contact_urns_changed', { urns: after });
  return true;
};
