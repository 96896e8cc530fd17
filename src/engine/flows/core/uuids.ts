/** Builds UUIDs from injected sources only, so the engine never reaches for global randomness. */
export type UUIDGenerator = () => string;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (n: number) => HEX[n >>> 24] + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];
const word = (random: () => number) => Math.floor(random() * 0x1_0000_0000);

/** Version 7 UUIDs (time ordered) from an injected clock and random source in [0,1). */
export function uuidV7Generator(now: () => Date, random: () => number): UUIDGenerator {
  return () => {
    const ms = now().getTime();
    const high = hex8(Math.floor(ms / 0x10000)) + hex8(ms % 0x10000).slice(4);
    const a = word(random);
    const b = word(random);
    const c = hex8(word(random));
    const v = hex8(0x7000 | (a & 0x0fff)).slice(4);
    const vr = hex8(0x8000 | ((a >>> 16) & 0x3fff)).slice(4);
    return `${high.slice(0, 8)}-${high.slice(8, 12)}-${v}-${vr}-${hex8(b).slice(0, 4)}${c}`;
  };
}

/** Version 4 UUIDs from an injected random source in [0,1). */
export function uuidV4Generator(random: () => number): UUIDGenerator {
  return () => {
    const a = hex8(word(random));
    const b = word(random);
    const c = hex8(word(random));
    const d = hex8(word(random));
    const v = hex8(0x4000 | (b & 0x0fff)).slice(4);
    const vr = hex8(0x8000 | ((b >>> 16) & 0x3fff)).slice(4);
    return `${a}-${c.slice(0, 4)}-${v}-${vr}-${c.slice(4)}${d}`;
  };
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
