import { parsePhoneNumberWithError, type CountryCode, type PhoneNumber } from 'libphonenumber-js';

const ONLY_PHONE_CHARS = /^\+?[\d .\-()]{5,}$/;
const E164 = /^\+[0-9]{7,15}$/;

/**
 * The E.164 form of `text` when the whole of it is a possible phone number (read with the default
 * country when it has no +), else null. Like RapidPro, a long number without + is also tried as
 * international, and the result must survive being re-read unchanged.
 */
export function parseWholePhoneNumber(text: string, country: string | null | undefined): string | null {
  const s = text.trim();
  if (!ONLY_PHONE_CHARS.test(s)) return null;
  const hasPlus = s.startsWith('+');
  const digits = (hasPlus ? '+' : '') + s.replace(/[^0-9A-Za-z]/g, '');
  const e164 = possibleE164(digits, country) ?? (digits.length >= 11 && !digits.startsWith('0') ? possibleE164('+' + digits, country) : null);
  return e164 && E164.test(e164) ? e164 : null;
}

function possibleE164(input: string, country: string | null | undefined): string | null {
  const parsed = tryParse(input, country);
  if (!parsed?.isPossible()) return null;
  // numbers with national leading zeros can format to an E.164 that reads back differently
  const again = tryParse(parsed.number, null);
  return again?.isPossible() && again.number === parsed.number ? parsed.number : null;
}

function tryParse(input: string, country: string | null | undefined): PhoneNumber | null {
  try {
    return parsePhoneNumberWithError(input, (country?.toUpperCase() || undefined) as CountryCode | undefined);
  } catch {
    return null;
  }
}
