const REF_ALPHABET = /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6,7}$/;

/** True when `code` looks like an obfuscated contact reference (6–7 chars of the ref alphabet). */
export function looksLikeRef(code: string): boolean {
  return REF_ALPHABET.test(code.toUpperCase());
}
