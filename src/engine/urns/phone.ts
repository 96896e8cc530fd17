import { formatInternational } from './international.ts';
import { isSupportedCountry, parsePhoneNumberWithError, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

const KEYPAD: Record<string, string> = {};
for (const [digit, letters] of Object.entries({ 2: 'abc', 3: 'def', 4: 'ghi', 5: 'jkl', 6: 'mno', 7: 'pqrs', 8: 'tuv', 9: 'wxyz' })) {
  for (const l of letters) KEYPAD[l] = digit;
}

const VIABLE = /^\+?(?:[0-9]{2}|(?:x*[0-9]){3,}[0-9A-Za-z]*)$/i;
const EXTENSION = /(?:e?xt(?:ensio)?n?|anexo)[0-9]{1,20}$|(?:x|int)[0-9]{1,9}$/i;

/**
 * Reads `input` the way Google's libphonenumber (which RapidPro and goflow use) does before it
 * looks at metadata, then lets libphonenumber-js do the metadata part. The two libraries differ on
 * text with letters: Google skips anything before the first digit or `+`, wants two digits alone
 * or at least three leading digits, drops a trailing extension (`x12`, `ext12`), and turns a
 * number with three or more letters into keypad digits (`1-800-FLOWERS`), whereas libphonenumber-js
 * stops at the first letter.
 */
export function parsePhone(input: string, country?: string | null): PhoneNumber | null {
  const start = input.search(/[+0-9]/);
  if (start < 0) return null;
  let candidate = input.slice(start).replace(/[^+0-9A-Za-z]/g, '');
  if (!VIABLE.test(candidate)) return null;
  const extension = EXTENSION.exec(candidate);
  if (extension && VIABLE.test(candidate.slice(0, extension.index))) candidate = candidate.slice(0, extension.index);

  const hasPlus = candidate.startsWith('+');
  const body = candidate.replace(/^\+/, '');
  const letterCount = body.replace(/[^A-Za-z]/g, '').length;
  const digits = letterCount >= 3 ? body.toLowerCase().replace(/[a-z]/g, (l) => KEYPAD[l]) : body.replace(/[^0-9]/g, '');
  const region = country && isSupportedCountry(country.toUpperCase()) ? (country.toUpperCase() as CountryCode) : undefined;
  if (!hasPlus && !region) return null;
  try {
    return parsePhoneNumberWithError((hasPlus ? '+' : '') + digits, region);
  } catch {
    return null;
  }
}

/**
 * RapidPro's `parse_number`: the E.164 form of `input` if it parses (with `country` as the default
 * region) to a number of a possible length for its country, else null. Numbers only possible as
 * local numbers (dialled without an area code) do not count.
 */
export function possibleE164(input: string, country?: string | null): string | null {
  const parsed = parsePhone(input, country);
  return parsed?.isPossible() ? parsed.number : null;
}

/**
 * RapidPro's `normalize_number` for tel paths: keeps lowercase letters and digits only, reads the
 * result as international when the original started with `+` or it is at least 11 characters not
 * starting with 0, and returns E.164 when that is a possible number; otherwise the stripped text
 * without `+` (so `tel:+250 788` → `250788`).
 */
export function normalizeNumber(number: string, country?: string | null): string {
  const trimmed = number.trim();
  let normalized = trimmed.toLowerCase();

  // a spreadsheet that showed the number in scientific notation (2.50788123123e+11)
  if (normalized.endsWith('e+11') || normalized.endsWith('e+12')) normalized = normalized.slice(0, -4).replaceAll('.', '');

  normalized = normalized.replace(/[^0-9a-z]/g, '');
  const international = trimmed.startsWith('+') || (normalized.length >= 11 && !normalized.startsWith('0'));
  return possibleE164(international ? '+' + normalized : normalized, country) ?? normalized;
}

/**
 * A phone number for display: national format of the number's own country (`0788 123 123`,
 * `(206) 555-1212`) or international (`+250 788 123 123`). Null when `e164` does not parse.
 */
export function formatPhone(e164: string, international = false): string | null {
  const parsed = parsePhone(e164, null);
  if (!parsed) return null;
  return international ? formatInternational(parsed.countryCallingCode, parsed.nationalNumber) : parsed.formatNational();
}

export interface ParseNumberOptions {
  /** accept short codes (3–6 digits not starting with 0) when a country is known */
  allowShort?: boolean;
  /** accept alphanumeric sender ids (3–64 letters/digits), lowercased */
  allowSenderID?: boolean;
}

const ALT_SHORT_CODE = /^[1-9][0-9]{2,5}$/;
const SENDER_ID = /^[0-9A-Za-z]{3,64}$/;

/**
 * goflow's phone parsing (gocommon `urns.ParseNumber`), used by the flow engine and mailroom: the
 * stable E.164 form of a possible number (also trying a `+` in front of 11+ characters not
 * starting with 0), else optionally a short code or a sender id, else null. Unlike RapidPro's
 * `normalizeNumber` it fails instead of keeping the stripped text.
 *
 * libphonenumber-js has no short-number metadata, so short codes are recognised by goflow's own
 * fallback rule only (3–6 digits not starting with 0); region-specific short codes outside that
 * (`0800`, 2 digits) are not accepted.
 */
export function parseNumber(raw: string, country?: string | null, options: ParseNumberOptions = {}): string | null {
  const trimmed = raw.trim();
  const input = (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/[^0-9A-Za-z]/g, '');
  // goflow gives up at once on a country libphonenumber does not know, unless the number has a +
  if (country && !isSupportedCountry(country.toUpperCase()) && !input.startsWith('+')) return null;

  const e164 = stableE164(input, country);
  if (e164) return e164;
  if (input.length >= 11 && !input.startsWith('0')) {
    const withPlus = stableE164('+' + input, country);
    if (withPlus) return withPlus;
  }
  if (options.allowShort && country && ALT_SHORT_CODE.test(input)) return input;
  if (options.allowSenderID && SENDER_ID.test(input)) return input.toLowerCase();
  return null;
}

/**
 * A possible number's E.164 form, provided that it reads back as itself: a national number with a
 * leading zero can format to an E.164 whose zero is then taken as a national prefix
 * (`+82011290` → `+8211290`). goflow follows such a chain for up to three steps.
 */
function stableE164(input: string, country: string | null | undefined): string | null {
  let e164 = possibleE164(input, country);
  for (let step = 0; e164 !== null && step < 3; step++) {
    const again = possibleE164(e164, null);
    if (again === e164) return e164;
    e164 = again;
  }
  return null;
}

const POSSIBLE_PHONE = /\+?[0-9 .\-()]{5,}/g;
const ONLY_PHONE = /^\+?[0-9 .\-()]{5,}$/;
const ENGINE_E164 = /^\+[0-9]{7,15}$/;

/**
 * goflow's `ParsePhoneNumber`: the E.164 number when the whole text (trimmed) is written like a
 * phone number (digits, spaces, `.-()`, optional leading `+`, at least 5) and is a possible number
 * with `country` as the default region; else null. No short codes, no sender ids.
 */
export function telFromText(text: string, country?: string | null): string | null {
  const s = text.trim();
  if (!ONLY_PHONE.test(s)) return null;
  const number = parseNumber(s, country);
  return number !== null && ENGINE_E164.test(number) ? number : null;
}

/** goflow's `FindPhoneNumbers`: every phone-number-looking run in the text that `telFromText` accepts. */
export function findPhoneNumbers(text: string, country?: string | null): string[] {
  const found: string[] = [];
  for (const [candidate] of text.matchAll(POSSIBLE_PHONE)) {
    const number = telFromText(candidate, country);
    if (number) found.push(number);
  }
  return found;
}
