import { isValidEmail } from './email.ts';
import { normalizeParsedURN } from './normalize.ts';
import { formatURN, parseURN, type ParsedURN } from './parse.ts';
import { possibleE164 } from './phone.ts';
import { schemeInfo } from './schemes.ts';

/** Longest URN RapidPro accepts in a write (its API field limit, in characters, after normalising). */
export const URN_MAX_LENGTH = 255;

const DIGITS = /^[0-9]+$/;
const TWITTER_HANDLE = /^[a-zA-Z0-9_]{1,15}$/;
const BSUID = /^[A-Z]{2}\.[a-zA-Z0-9]{1,128}$/;
const VIBER = /^[a-zA-Z0-9_=+/]{1,24}$/;
const HEX_UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const FRESHCHAT = new RegExp(`^${HEX_UUID}/${HEX_UUID}$`);

export type URNProblem = 'blank' | 'invalid' | 'too_long' | 'null_character' | 'surrogate_character';

export type URNCheck = { ok: true; urn: string } | { ok: false; problems: { problem: URNProblem; message: string }[] };

/**
 * Checks a URN given from outside (API body, import) exactly in the order RapidPro's API field
 * does, with its messages: blank text first; then normalisation and the per-scheme rules
 * (`Invalid URN: <text as given>. …`); then, on the normalised URN, the generic text checks, all
 * reported together: over 255 characters, NUL characters, lone surrogates. On success `urn` is the
 * normalised URN to store or look up.
 */
export function checkURN(text: string, country?: string | null): URNCheck {
  if (text.trim() === '') return fail([['blank', 'This field may not be blank.']]);
  const parsed = parseURN(text);
  const normalized = parsed && normalizeParsedURN(parsed, country);
  if (!normalized || !isValidNormalizedURN(normalized, country)) {
    return fail([['invalid', `Invalid URN: ${text}. Ensure phone numbers contain country codes.`]]);
  }

  const urn = formatURN(normalized);
  const problems: [URNProblem, string][] = [];
  if ([...urn].length > URN_MAX_LENGTH) problems.push(['too_long', `Ensure this field has no more than ${URN_MAX_LENGTH} characters.`]);
  if (urn.includes('\0')) problems.push(['null_character', 'Null characters are not allowed.']);
  const surrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(urn);
  if (surrogate) {
    const code = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    problems.push(['surrogate_character', `Surrogate characters are not allowed: U+${code}.`]);
  }
  return problems.length ? fail(problems) : { ok: true, urn };
}

function fail(problems: [URNProblem, string][]): URNCheck {
  return { ok: false, problems: problems.map(([problem, message]) => ({ problem, message })) };
}

/** True when `checkURN` accepts the text. */
export function validateURN(text: string, country?: string | null): boolean {
  return checkURN(text, country).ok;
}

/**
 * The per-scheme rules RapidPro applies to an already normalised URN. Stricter than upstream in
 * two places, both of which upstream would later trip over: the internal `deleted` scheme is
 * refused, and ids upstream checks with Python's `int()`/`isdigit()` must be ASCII digits, as
 * goflow requires.
 */
export function isValidNormalizedURN(urn: ParsedURN, country?: string | null): boolean {
  const info = schemeInfo(urn.scheme);
  if (!info || info.status === 'internal') return false;
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
