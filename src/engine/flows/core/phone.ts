import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Extracts a possible phone number as E.164, the way goflow reads numbers typed into flows: junk
 * characters stripped, parsed for the country, and long numbers retried with a leading `+`.
 * Returns null when no possible number is found.
 */
export function parsePossiblePhone(raw: string, country = ''): string | null {
  let input = raw.trim();
  const hasPlus = input.startsWith('+');
  input = input.replace(/[^0-9A-Za-z]/g, '');
  if (hasPlus) input = `+${input}`;
  const region = (country || undefined) as CountryCode | undefined;
  const parsed = parsePhoneNumberFromString(input, region);
  if (parsed?.isPossible()) return parsed.number;
  if (input.length >= 11 && !input.startsWith('0')) {
    const withPlus = parsePhoneNumberFromString(`+${input}`, region);
    if (withPlus?.isPossible()) return withPlus.number;
  }
  return null;
}
