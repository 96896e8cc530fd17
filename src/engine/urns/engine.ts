import { escapeURNPart, formatURN, parseURN } from './parse.ts';
import { uppercaseCountryPrefix } from './normalize.ts';
import { parseNumber } from './phone.ts';
import { schemeInfo } from './schemes.ts';

// The flow engine's URN rules (gocommon `urns`, used by goflow and mailroom). They differ from the
// API's (normalize.ts, validate.ts): tel normalisation has no default country and accepts short
// codes and sender ids; validation checks shapes only, never phone-number possibility.

// in UTF-8 bytes, as Go counts; the path limit keeps `scheme:path` within a 255-character column
const MAX_PATH_BYTES = 200;
const MAX_DISPLAY_BYTES = 255;

const DIGITS = /^[0-9]+$/;
// Go's \s is ASCII whitespace only
const EMAIL = /^[^\t\n\f\r @]+@[^\t\n\f\r @]+$/;
const PHONE = /^((\+[0-9]{7,15})|([a-z0-9]{1,64}))$/; // E.164, short code or sender id
const TWITTER_HANDLE = /^[a-zA-Z0-9_]{1,15}$/;
const VIBER = /^[a-zA-Z0-9_=/+]{1,24}$/;
const LINE = /^[a-zA-Z0-9_]{1,36}$/;
const WEBCHAT = /^[a-zA-Z0-9]{24}(:[^\t\n\f\r @]+@[^\t\n\f\r @]+)?$/;
const BSUID = /^[A-Z]{2}\.[a-zA-Z0-9]{1,128}$/;
const HEX_UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const FRESHCHAT = new RegExp(`^${HEX_UUID}/${HEX_UUID}$`);

const PATH_RULES: Record<string, (path: string) => boolean> = {
  mailto: (p) => EMAIL.test(p),
  facebook: (p) => p.startsWith('ref:') || DIGITS.test(p),
  freshchat: (p) => FRESHCHAT.test(p),
  instagram: (p) => DIGITS.test(p),
  jiochat: (p) => DIGITS.test(p),
  line: (p) => LINE.test(p),
  tel: (p) => PHONE.test(p),
  telegram: (p) => DIGITS.test(p),
  twitter: (p) => TWITTER_HANDLE.test(p),
  twitterid: (p) => DIGITS.test(p),
  viber: (p) => VIBER.test(p),
  webchat: (p) => WEBCHAT.test(p),
  whatsapp: (p) => DIGITS.test(p) || BSUID.test(p),
  bsuid: (p) => BSUID.test(p),
};

/**
 * gocommon's `URN.Normalize`: path and display trimmed; `tel` re-read as a phone number without a
 * default country (kept as is when that fails); `twitter` lowercased without `@`; `mailto`
 * lowercased; the `CC.` prefix of `whatsapp`/`bsuid` uppercased. A structurally broken URN is
 * returned unchanged.
 */
export function normalizeEngineURN(urn: string): string {
  const parsed = parseURN(urn);
  if (!parsed) return urn;
  let path = parsed.path.trim();
  switch (parsed.scheme) {
    case 'tel':
      path = parseNumber(path, null, { allowShort: true, allowSenderID: true }) ?? path;
      break;
    case 'twitter':
      path = path.toLowerCase().replace(/^@/, '');
      break;
    case 'mailto':
      path = path.toLowerCase();
      break;
    case 'whatsapp':
    case 'bsuid':
      path = uppercaseCountryPrefix(path);
      break;
  }
  return formatURN({ scheme: parsed.scheme, path, query: parsed.query, display: parsed.display?.trim() });
}

/** gocommon's `URN.Validate`: null when valid, else goflow's reason. */
export function validateEngineURN(urn: string): string | null {
  const parsed = parseURN(urn);
  if (!parsed) return 'scheme or path cannot be empty';
  const info = schemeInfo(parsed.scheme);
  if (!info?.inEngine) return 'unknown URN scheme';
  if (utf8Length(escapeURNPart(parsed.path)) > MAX_PATH_BYTES) return 'path component too long';
  const rule = PATH_RULES[parsed.scheme];
  if (rule && !rule(parsed.path)) return 'invalid path component';
  if (utf8Length(parsed.display ?? '') > MAX_DISPLAY_BYTES) return 'display component too long';
  return null;
}

const utf8 = new TextEncoder();

function utf8Length(s: string): number {
  return utf8.encode(s).length;
}
