import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { ChannelAsset, SessionAssets } from '../assets.ts';
import { validateEngineURN } from '../../urns/index.ts';

/** A contact URN with its optional channel affinity and display fragment. */
export interface URN { scheme: string; path: string; display?: string; channel?: ChannelAsset }

export const VALID_SCHEMES = new Set([
  'tel', 'facebook', 'twitter', 'twitterid', 'viber', 'line', 'telegram', 'mailto', 'ext', 'jiochat',
  'wechat', 'fcm', 'whatsapp', 'freshchat', 'vk', 'rocketchat', 'discord', 'webchat', 'instagram',
  'slack', 'teams', 'external',
]);

/** Splits `scheme:path?query#display` into parts (no validation). */
export function parseURNString(raw: string): { scheme: string; path: string; channel?: string; display?: string } | null {
  const colon = raw.indexOf(':');
  if (colon <= 0) return null;
  const scheme = raw.slice(0, colon);
  let rest = raw.slice(colon + 1);
  let display: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    display = decodeURIComponent(rest.slice(hash + 1)) || undefined;
    rest = rest.slice(0, hash);
  }
  let channel: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    channel = new URLSearchParams(rest.slice(q + 1)).get('channel') ?? undefined;
    rest = rest.slice(0, q);
  }
  return { scheme, path: rest, channel, display };
}

export function readURN(raw: string, assets: SessionAssets): URN {
  const p = parseURNString(raw);
  if (!p) return { scheme: '', path: raw };
  const channel = p.channel ? assets.channel(p.channel) : undefined;
  return { scheme: p.scheme, path: p.path, display: p.display, channel };
}

/** `scheme:path[?channel=uuid][#display]` as goflow encodes a contact URN. */
export function encodeURN(u: URN, withDisplay = true, withChannel = true): string {
  let s = `${u.scheme}:${u.path}`;
  if (withChannel && u.channel) s += `?channel=${u.channel.uuid}`;
  if (withDisplay && u.display) s += `#${u.display}`;
  return s;
}

export const identity = (u: URN) => `${u.scheme}:${u.path}`;

const telCountries = new Map<string, string>();

/** The country a phone number belongs to, or '' when it can't be told (memoised: it is on hot paths). */
export function countryFromTel(path: string): string {
  let country = telCountries.get(path);
  if (country === undefined) {
    country = parsePhoneNumberFromString(path.startsWith('+') ? path : `+${path}`)?.country ?? '';
    if (telCountries.size > 10_000) telCountries.clear();
    telCountries.set(path, country);
  }
  return country;
}

/** Normalises a URN the way goflow does: tel to E.164 when parseable, lowercase schemes/emails... */
export function normalizeURN(scheme: string, path: string, country = ''): string {
  scheme = scheme.toLowerCase().trim();
  path = path.trim();
  if (scheme === 'tel') {
    const parsed = parsePhoneNumberFromString(path, (country || undefined) as CountryCode | undefined);
    if (parsed && parsed.isValid()) path = parsed.number;
    else path = path.replace(/[^0-9a-z+]/gi, '').toLowerCase();
  } else if (scheme === 'mailto' || scheme === 'twitter') {
    path = path.toLowerCase().replace(/^@/, '');
  }
  return `${scheme}:${path}`;
}

/** Why a URN is invalid for its scheme (gocommon's rules), or null when valid. */
export function validateURN(urn: string): string | null {
  return validateEngineURN(urn);
}

function supports(ch: ChannelAsset, scheme: string, role: string): boolean {
  return ch.schemes.includes(scheme) && ch.roles.includes(role);
}

/** Picks the channel that would send to this URN (affinity first, then scheme/country match). */
export function channelForURN(u: URN, assets: SessionAssets, role = 'send'): ChannelAsset | undefined {
  if (u.channel && supports(u.channel, u.scheme, role)) return u.channel;
  if (u.scheme !== 'tel') {
    for (const ch of assets.channels) if (supports(ch, u.scheme, role)) return ch;
    return undefined;
  }
  const country = countryFromTel(u.path);
  const candidates: ChannelAsset[] = [];
  for (const ch of assets.channels) {
    if (supports(ch, 'tel', role) && !(ch.country && country && ch.country !== country)) candidates.push(ch);
  }
  if (candidates.length <= 1) return candidates[0];
  // several candidates: the one whose address shares the longest prefix with the number
  const number = u.path.replace(/^\+/, '');
  let best: ChannelAsset | undefined;
  let max = 0;
  for (const ch of candidates) {
    const prefix = ch.address.replace(/^\+/, '');
    let overlap = 0;
    while (overlap < prefix.length && overlap < number.length && prefix[overlap] === number[overlap]) overlap++;
    if (overlap >= max) {
      max = overlap;
      best = ch;
    }
  }
  return best;
}

/** Renders a URN for humans (`format_urn`): tel numbers in national format... */
export function formatURNForDisplay(u: URN): string {
  if (u.display) return u.display;
  if (u.scheme === 'tel') {
    const parsed = parsePhoneNumberFromString(u.path);
    if (parsed && parsed.isValid()) return parsed.formatNational();
  }
  return u.path;
}
