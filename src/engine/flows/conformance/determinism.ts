/**
 * Deterministic clock and randomness for replaying upstream data: the clock starts where goflow's
 * test universe starts and advances one second on every read, as upstream's mock clock does.
 */
export const TEST_START = Date.UTC(2025, 4, 4, 12, 30, 45, 123);

export function steppingClock(start = TEST_START, stepMs = 1000): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += stepMs;
    return d;
  };
}

/** Small seeded PRNG (mulberry32) in [0,1). */
export function seededRandom(seed = 123456): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
