import { isValidEmail } from './email.ts';
import { normalizeParsedURN } from './normalize.ts';
import { formatURN, parseURN, type ParsedURN } from './parse.ts';
import { possibleE164 } from './phone.ts';
import { schemeInfo } from './schemes.ts';

/** Longest URN text RapidPro accepts in a write (its API field limit, counted in characters). */
export const URN_MAX_LENGTH = 255;

const DIGITS = /^[0-9]+$/;
const TWITTER_HANDLE = /^[a-zA-Z0-9_]{1,15}$/;
const BSUID = /^[A-Z]{2}\.[a-zA-Z0-9]{1,128}$/;
const VIBER = /^[a-zA-Z0-9_=+/]{1,24}$/;
const HEX_UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const FRESHCHAT = new RegExp(`^${HEX_UUID}/${HEX_UUID}$`);

export type URNCheck = { ok: true; urn: string } | { ok: false; reason: 'too_long' | 'invalid' };

/**
 * Normalises then validates a URN given from outside (API body, `?urn=`, import), as RapidPro does.
 * `too_long` is RapidPro's field length error (over 255 characters, checked first on the text as
 * given); `invalid` stands for `Invalid URN: <text>. Ensure phone numbers contain country codes.`
 * On success `urn` is the normalised URN to store or look up.
 */
export function checkURN(text: string, country?: string | null): URNCheck {
  if ([...text].length > URN_MAX_LENGTH) return { ok: false, reason: 'too_long' };
  const parsed = parseURN(text);
  const normalized = parsed && normalizeParsedURN(parsed, country);
  if (!normalized || !isValidNormalizedURN(normalized, country)) return { ok: false, reason: 'invalid' };
  return { ok: true, urn: formatURN(normalized) };
}

/** True when `checkURN` accepts the text. */
export function validateURN(text: string, country?: string | null): boolean {
  return checkURN(text, country).ok;
}

/**
 * The per-scheme rules RapidPro applies to an already normalised URN. Stricter than upstream in
 * three places, all of which upstream would later trip over: the internal `deleted` scheme is
 * refused, NUL characters are refused (PostgreSQL cannot store them), and ids upstream checks with
 * Python's `int()`/`isdigit()` must be ASCII digits, as goflow requires.
 */
export function isValidNormalizedURN(urn: ParsedURN, country?: string | null): boolean {
  const info = schemeInfo(urn.scheme);
  if (!info || info.status === 'internal') return false;
  if (formatURN(urn).includes('\0')) return false;
  const { path, display } = urn;

  switch (urn.scheme) {
    case 'tel':
      return possibleE164(path, country) !== null;
    case 'twitter':
      return TWITTER_HANDLE.test(path);
    case 'twitterid':
      return DIGITS.test(path) && (!display || TWITTER_HANDLE.test(display));
    case 'mailto':
      return isValidEmail(path);
    case 'facebook':
      // referral ids come from Facebook itself and have no fixed shape
      return path.startsWith('ref:') || DIGITS.test(path);
    case 'telegram':
    case 'instagram':
    case 'discord':
      return DIGITS.test(path);
    case 'whatsapp':
      return DIGITS.test(path) || BSUID.test(path);
    case 'bsuid':
      return BSUID.test(path);
    case 'viber':
      return VIBER.test(path);
    case 'freshchat':
      return FRESHCHAT.test(path);
    default:
      return true;
  }
}
