// URN parsing and display (`scheme:path?query#display`), as RapidPro's URN library does it.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export interface URNParts {
  scheme: string;
  path: string;
  query: string;
  display: string;
}

const ESCAPES: [string, string][] = [['%23', '#'], ['%25', '%'], ['%3F', '?']];

function unescape(s: string): string {
  for (const [esc, ch] of ESCAPES) s = s.replaceAll(esc, ch);
  return s;
}

/** Parses a URN or returns the error text. */
export function parseURN(urn: string): URNParts | { error: string } {
  const buf = ['', '', '', ''];
  let state = 0; // scheme, path, query, fragment
  for (const c of urn) {
    if (c === ':' && state === 0) {
      state = 1;
      continue;
    }
    if (c === '?') {
      if (state === 1) {
        state = 2;
        continue;
      }
      return { error: 'query component can only come after path component' };
    }
    if (c === '#') {
      if (state === 1 || state === 2) {
        state = 3;
        continue;
      }
      return { error: 'fragment component can only come after path or query components' };
    }
    buf[state] += c;
  }
  if (!buf[0]) return { error: 'scheme cannot be empty' };
  if (!buf[1]) return { error: 'path cannot be empty' };
  return { scheme: unescape(buf[0]), path: unescape(buf[1]), query: unescape(buf[2]), display: unescape(buf[3]) };
}

/** Human form: the display part if any, national format for phone numbers, else the path. */
export function formatURN(p: URNParts): string {
  if (p.display) return p.display;
  if (p.scheme === 'tel') {
    const parsed = parsePhoneNumberFromString(p.path);
    return parsed ? parsed.formatNational() : p.path;
  }
  return p.path;
}
