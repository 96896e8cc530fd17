import type { Environment } from '../../environment.ts';

/**
 * Contact references (`@contact.ref`): the numeric id run through a keyed Feistel permutation and
 * written in a 32-letter alphabet (6 chars below 2^30, else 7), as goflow does.
 */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const THRESHOLD_6_CHARS = 1n << 30n;
const MAX_ID = 9_999_999_999n;
const DEFAULT_KEY = [0xa3b1c, 0xd2e3f, 0x1a2b3, 0xc0ffee];

function round(r: bigint, k: bigint, mask: bigint): bigint {
  let x = (r ^ k) * 0x45d9f3bn;
  x ^= x >> 16n;
  return x & mask;
}

function feistel(n: bigint, key: number[], half: bigint): bigint {
  const mask = (1n << half) - 1n;
  let left = (n >> half) & mask;
  let right = n & mask;
  for (const k of key) {
    const newLeft = right;
    right = left ^ (round(right, BigInt(k), mask) & mask);
    left = newLeft;
  }
  return (left << half) | right;
}

export function obfuscateID(id: number, env: Environment): string {
  const n = BigInt(Math.trunc(id));
  if (n <= 0n || n > MAX_ID) return '';
  const envKey = (env as { obfuscationKey?: unknown }).obfuscationKey;
  const key = Array.isArray(envKey) && envKey.length === 4 ? (envKey as number[]) : DEFAULT_KEY;
  let value: bigint;
  let length: number;
  if (n < THRESHOLD_6_CHARS) {
    value = feistel(n, key, 15n);
    length = 6;
  } else {
    value = feistel(n - THRESHOLD_6_CHARS, key, 17n);
    length = 7;
  }
  const chars: string[] = [];
  for (let i = 0; i < length; i++) {
    chars.unshift(ALPHABET[Number(value % 32n)]);
    value /= 32n;
  }
  return chars.join('');
}
