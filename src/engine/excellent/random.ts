// Go's math/rand/v2 PCG-DXSM generator, so a seeded environment draws the same numbers as RapidPro's
// seeded test generator (`rand.NewPCG(seed, seed)`); Float64 keeps the top 53 bits as Go does.
const M64 = (1n << 64n) - 1n;
const M128 = (1n << 128n) - 1n;
const MUL = (2549297995355413924n << 64n) | 4865540595714422341n;
const INC = (6364136223846793005n << 64n) | 1442695040888963407n;
const CHEAP_MUL = 0xda942042e4dd58b5n;

export function seededRandom(seed: number): () => number {
  const s = BigInt.asUintN(64, BigInt(seed));
  let state = (s << 64n) | s;
  const next = (): bigint => {
    state = (state * MUL + INC) & M128;
    let hi = state >> 64n;
    const lo = state & M64;
    hi ^= hi >> 32n;
    hi = (hi * CHEAP_MUL) & M64;
    hi ^= hi >> 48n;
    return (hi * (lo | 1n)) & M64;
  };
  return () => Number(((next() << 11n) & M64) >> 11n) / 2 ** 53;
}
