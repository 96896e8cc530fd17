// Phone number finding for has_phone: candidates are runs of digits and separators, each validated
// as a possible number for the given country and returned in E.164.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { trimSpace } from './words.ts';

const POSSIBLE_PHONE = /\+?[0-9 .\-()]{5,}/g;
const ONLY_PHONE = /^\+?[0-9 .\-()]{5,}$/;
const PHONE_PATH = /^\+?[a-zA-Z0-9]{1,64}$/;

function possibleE164(input: string, country: string): string | null {
  const cc = (country || undefined) as CountryCode | undefined;
  try {
    const p = parsePhoneNumberFromString(input, cc ? { defaultCountry: cc } : undefined);
    if (p && p.isPossible()) return p.number;
  } catch {
    // unparseable: fall through
  }
  if (input.length >= 11 && !input.startsWith('0')) {
    try {
      const p = parsePhoneNumberFromString('+' + input.replace(/^\+/, ''), cc ? { defaultCountry: cc } : undefined);
      if (p && p.isPossible()) return p.number;
    } catch {
      // still unparseable
    }
  }
  return null;
}

/** A phone number in text parsed for a country, as E.164, or null. */
export function parsePhone(s: string, country: string): string | null {
  const t = trimSpace(s);
  if (!ONLY_PHONE.test(t)) return null;
  const hasPlus = t.startsWith('+');
  const raw = (hasPlus ? '+' : '') + t.replace(/[^0-9A-Za-z]/g, '');
  const e164 = possibleE164(raw, country);
  return e164 && PHONE_PATH.test(e164) ? e164 : null;
}

export function findPhoneNumbers(s: string, country: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(POSSIBLE_PHONE)) {
    const n = parsePhone(m[0], country);
    if (n) out.push(n);
  }
  return out;
}
