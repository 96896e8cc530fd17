/**
 * Deterministic clock, randomness and UUIDs for replaying upstream data, reproducing goflow's test
 * universe: a clock starting at 2025-05-04T12:30:45.123456789Z that advances one second on every
 * read, and Go's math/rand/v2 PCG generator (seeded 123456/123456) for random numbers and for the
 * bytes of UUIDs, laid out as google/uuid does (v7 UUIDs also read the clock).
 */
export const TEST_START = Date.UTC(2025, 4, 4, 12, 30, 45, 123);
export const TEST_SUB_NANOS = 456_789;

export function steppingClock(start = TEST_START, stepMs = 1000): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += stepMs;
    return d;
  };
}

const M64 = (1n << 64n) - 1n;
const MUL = (2549297995355413924n << 64n) | 4865540595714422341n;
const INC = (6364136223846793005n << 64n) | 1442695040888963407n;
const M128 = (1n << 128n) - 1n;
const CHEAP_MUL = 0xda942042e4dd58b5n;

/** Go's PCG-DXSM source (math/rand/v2) with the Rand helpers goflow's tests use. */
export class GoPCG {
  private state: bigint;

  constructor(seed1: bigint | number = 123456, seed2: bigint | number = 123456) {
    this.state = (BigInt(seed1) << 64n) | BigInt(seed2);
  }

  uint64(): bigint {
    this.state = (this.state * MUL + INC) & M128;
    let hi = this.state >> 64n;
    const lo = this.state & M64;
    hi ^= hi >> 32n;
    hi = (hi * CHEAP_MUL) & M64;
    hi ^= hi >> 48n;
    hi = (hi * (lo | 1n)) & M64;
    return hi;
  }

  float64(): number {
    return Number((this.uint64() << 11n & M64) >> 11n) / 2 ** 53;
  }

  intN(n: number): number {
    const bn = BigInt(n);
    if ((n & (n - 1)) === 0) return Number(this.uint64() & (bn - 1n));
    let prod = this.uint64() * bn;
    let lo = prod & M64;
    if (lo < bn) {
      const thresh = ((1n << 64n) - bn) % bn;
      while (lo < thresh) {
        prod = this.uint64() * bn;
        lo = prod & M64;
      }
    }
    return Number(prod >> 64n);
  }

  /** 16 bytes read 8 at a time, little-endian (gocommon's rand reader). */
  bytes16(): number[] {
    const out: number[] = [];
    for (let i = 0; i < 2; i++) {
      const v = this.uint64();
      for (let j = 0; j < 8; j++) out.push(Number((v >> BigInt(8 * j)) & 0xffn));
    }
    return out;
  }
}

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
const format = (b: number[]) => {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** goflow's seeded v7 UUIDs: random bytes (v4 layout) then the clock's milliseconds and sub-ms bits. */
export function goUUIDv7Generator(pcg: GoPCG, now: () => Date, subNanos: () => number): () => string {
  return () => {
    const b = pcg.bytes16();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const ms = now().getTime();
    const seq = subNanos() >> 8;
    for (let i = 0; i < 6; i++) b[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
    b[6] = 0x70 | ((seq >> 8) & 0x0f);
    b[7] = seq & 0xff;
    return format(b);
  };
}

/** goflow's seeded v4 UUIDs (no clock read). */
export function goUUIDv4Generator(pcg: GoPCG): () => string {
  return () => {
    const b = pcg.bytes16();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    return format(b);
  };
}
