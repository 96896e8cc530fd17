// Which URN and channel an outgoing message goes out on (pure): the contact's URNs in priority
// order; a URN's channel affinity (the contact's preferred channel) wins when that channel can send
// on the scheme; otherwise a sending channel for the scheme — for phone numbers, one whose country
// matches the number, preferring the longest shared prefix between its address and the number.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { urnPath, urnScheme } from './support.ts';
import type { Channel } from './types.ts';

export interface ContactURN {
  /** `scheme:path[#display]` */
  urn: string;
  /** UUID of the channel this URN last talked through (affinity), if any. */
  channelUuid?: string | null;
}

export interface Route {
  urn: string;
  channel: Channel;
}

/** True when the channel may send (roles contain S; channels without roles are assumed to send). */
export function canSend(ch: Channel): boolean {
  return ch.roles === undefined || ch.roles === null || ch.roles.includes('S');
}

export function channelForURN<C extends Channel>(urn: string, channels: C[], affinityUuid?: string | null): C | undefined {
  const scheme = urnScheme(urn);
  const supports = (ch: C) => ch.schemes.includes(scheme) && canSend(ch);
  if (affinityUuid) {
    const preferred = channels.find((c) => c.uuid === affinityUuid);
    if (preferred && supports(preferred)) return preferred;
  }
  const candidates = channels.filter(supports);
  if (scheme !== 'tel' || candidates.length <= 1) return candidates[0];
  const path = urnPath(urn);
  const country = parsePhoneNumberFromString(path.startsWith('+') ? path : `+${path}`)?.country ?? '';
  const inCountry = candidates.filter((ch) => !(ch.country && country && ch.country !== country));
  if (inCountry.length <= 1) return inCountry[0];
  const number = path.replace(/^\+/, '');
  let best: C | undefined;
  let max = -1;
  for (const ch of inCountry) {
    const prefix = ch.address.replace(/^\+/, '');
    let overlap = 0;
    while (overlap < prefix.length && overlap < number.length && prefix[overlap] === number[overlap]) overlap++;
    if (overlap > max) {
      max = overlap;
      best = ch;
    }
  }
  return best;
}

/** The first of the contact's URNs (priority order) that some channel can send to, or null (→ failed, reason D). */
export function selectRoute(urns: ContactURN[], channels: Channel[]): Route | null {
  const r = routeOf(urns, channels);
  return r && { urn: r.urn.urn, channel: r.channel };
}

/** selectRoute for callers that carry their own URN and channel records (database rows): those are returned. */
export function routeOf<U extends ContactURN, C extends Channel>(urns: U[], channels: C[]): { urn: U; channel: C } | null {
  for (const u of urns) {
    const channel = channelForURN(u.urn, channels, u.channelUuid);
    if (channel) return { urn: u, channel };
  }
  return null;
}
