// RapidPro URNs (`tel:+250788123123`, `twitter:bob`, `mailto:a@b.com#Ann`): parsing, per-scheme
// normalisation and validation, identity, display forms, anonymous-workspace masking and contact
// refs. Pure: no database, no I/O.
export { parseURN, formatURN, escapeURNPart, unescapeURNPart, type ParsedURN } from './parse.ts';
export {
  SCHEMES,
  SCHEME_LIST,
  WRITABLE_SCHEMES,
  ENGINE_SCHEMES,
  DELETED_SCHEME,
  schemeInfo,
  isKnownScheme,
  type URNScheme,
} from './schemes.ts';
export { normalizeURN, normalizeParsedURN, urnIdentity } from './normalize.ts';
export { checkURN, validateURN, isValidNormalizedURN, URN_MAX_LENGTH, type URNCheck, type URNProblem } from './validate.ts';
export {
  normalizeNumber,
  possibleE164,
  formatPhone,
  parsePhone,
  parseNumber,
  telFromText,
  findPhoneNumbers,
  type ParseNumberOptions,
} from './phone.ts';
export { normalizeEngineURN, validateEngineURN } from './engine.ts';
export { urnsContext } from './context.ts';
export { displayURN, formatURNForEngine, redactURN, urnForExpressions, ANON_MASK, type DisplayOptions } from './display.ts';
export {
  anonDisplay,
  encodeContactRef,
  decodeContactRef,
  DEFAULT_OBFUSCATION_KEY,
  MAX_CONTACT_REF_ID,
  type ObfuscationKey,
} from './ref.ts';
