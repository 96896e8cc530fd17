import { formatURN, parseURN, type ParsedURN } from './parse.ts';
import { normalizeNumber } from './phone.ts';
import { isKnownScheme } from './schemes.ts';

/**
 * RapidPro's URN normalisation (what the API applies to every URN it is given and to `?urn=`):
 * `tel` to E.164 when possible with `country` as the default region, else its stripped digits;
 * `twitter` lowercased without `@`; `mailto` lowercased; `twitterid` display lowercased without
 * `@`; the `CC.` prefix of `whatsapp`/`bsuid` ids uppercased; every path trimmed. Query and display
 * are kept. Null when the text is not a URN, its scheme is unknown, or nothing of the path is left.
 */
export function normalizeURN(text: string, country?: string | null): string | null {
  const parsed = parseURN(text);
  if (!parsed) return null;
  const normalized = normalizeParsedURN(parsed, country);
  return normalized && formatURN(normalized);
}

/** `normalizeURN` on parts already split. */
export function normalizeParsedURN(parsed: ParsedURN, country?: string | null): ParsedURN | null {
  if (!isKnownScheme(parsed.scheme)) return null;
  const path = normalizePath(parsed.scheme, parsed.path.trim(), country);
  if (path === '') return null;

  const normalized: ParsedURN = { scheme: parsed.scheme, path };
  if (parsed.query) normalized.query = parsed.query;
  const display = parsed.scheme === 'twitterid' ? normalizeHandle(parsed.display ?? '') : parsed.display;
  if (display) normalized.display = display;
  return normalized;
}

function normalizePath(scheme: string, path: string, country: string | null | undefined): string {
  switch (scheme) {
    case 'tel':
      return normalizeNumber(path, country);
    case 'twitter':
      return normalizeHandle(path);
    case 'mailto':
      return path.toLowerCase();
    case 'whatsapp':
    case 'bsuid':
      return uppercaseCountryPrefix(path);
    default:
      return path;
  }
}

/** Twitter handles are case-insensitive and often written with their `@`. */
function normalizeHandle(handle: string): string {
  return handle.trim().toLowerCase().replace(/^@/, '');
}

/** Business-scoped WhatsApp user ids look like `CC.xxxx` with a country code that may come lowercased. */
export function uppercaseCountryPrefix(path: string): string {
  return path.length > 2 && path[2] === '.' ? path.slice(0, 2).toUpperCase() + path.slice(2) : path;
}

/**
 * The uniqueness key of a URN: `scheme:path` with query and display dropped (escaped like any URN).
 * Null when the text is not structurally a URN. Does not normalise: pass a normalised URN.
 */
export function urnIdentity(urn: string): string | null {
  const parsed = parseURN(urn);
  return parsed && formatURN({ scheme: parsed.scheme, path: parsed.path });
}
