// Contact references (`ref`, and the deprecated `anon_display` of anonymous workspaces): a contact id
// turned into a short code with a keyed Feistel permutation, so codes look random but decode back.

/** No I, O, 0 or 1: codes are read aloud and typed by people. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const BASE = BigInt(ALPHABET.length);
const SIX_CHAR_LIMIT = 32 ** 6;
export const MAX_CONTACT_REF_ID = 9_999_999_999;

/** Four round keys. RapidPro reads them from its `ID_OBFUSCATION_KEY` setting. */
export type ObfuscationKey = readonly [number, number, number, number];

/** RapidPro's shipped default `ID_OBFUSCATION_KEY`; installations are expected to set their own. */
export const DEFAULT_OBFUSCATION_KEY: ObfuscationKey = [0xa3b1c, 0xd2e3f, 0x1a2b3, 0xc0ffee];

/**
 * The 6-character code of ids below 32^6, the 7-character code of larger ones (up to
 * 9,999,999,999). Six-character codes permute 30 bits, seven-character ones 34 bits of
 * `id - 32^6`.
 */
export function encodeContactRef(id: number, key: ObfuscationKey = DEFAULT_OBFUSCATION_KEY): string {
  if (!Number.isInteger(id) || id < 1 || id > MAX_CONTACT_REF_ID) {
    throw new RangeError('contact ref requires an id between 1 and 9,999,999,999');
  }
  const short = id < SIX_CHAR_LIMIT;
  let n = short ? feistel(BigInt(id), 15, key, false) : feistel(BigInt(id - SIX_CHAR_LIMIT), 17, key, false);
  const chars: string[] = [];
  for (let i = short ? 6 : 7; i > 0; i--) {
    chars.push(ALPHABET[Number(n % BASE)]);
    n /= BASE;
  }
  return chars.reverse().join('');
}

/** The id a code was made from (case-insensitive); null when it is not 6–7 alphabet characters. */
export function decodeContactRef(code: string, key: ObfuscationKey = DEFAULT_OBFUSCATION_KEY): number | null {
  const upper = code.toUpperCase();
  if (!/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6,7}$/.test(upper)) return null;
  let n = 0n;
  for (const c of upper) n = n * BASE + BigInt(ALPHABET.indexOf(c));
  return upper.length === 6 ? Number(feistel(n, 15, key, true)) : Number(feistel(n, 17, key, true)) + SIX_CHAR_LIMIT;
}

/** The `anon_display` of a contact in an anonymous workspace: RapidPro returns its ref there. */
export function anonDisplay(contactId: number, key: ObfuscationKey = DEFAULT_OBFUSCATION_KEY): string {
  return encodeContactRef(contactId, key);
}

function feistel(n: bigint, halfBits: number, key: ObfuscationKey, decrypt: boolean): bigint {
  const half = BigInt(halfBits);
  const mask = (1n << half) - 1n;
  let left = (n >> half) & mask;
  let right = n & mask;
  const rounds = decrypt ? [...key].reverse() : key;
  for (const k of rounds) {
    if (decrypt) {
      [left, right] = [right ^ (round(left, BigInt(k)) & mask), left];
    } else {
      [left, right] = [right, left ^ (round(right, BigInt(k)) & mask)];
    }
  }
  return (left << half) | right;
}

function round(r: bigint, k: bigint): bigint {
  let x = (r ^ k) * 0x45d9f3bn;
  x ^= x >> 16n;
  return x;
}
