/** Builds UUIDs from injected sources only, so the engine never reaches for global randomness. */
export type UUIDGenerator = () => string;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function format(bytes: number[]): string {
  const h = bytes.map((b) => HEX[b]).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Version 7 UUIDs (time ordered) from an injected clock and random source in [0,1). */
export function uuidV7Generator(now: () => Date, random: () => number): UUIDGenerator {
  return () => {
    const ms = now().getTime();
    const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
    for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
    bytes[6] = 0x70 | (bytes[6] & 0x0f);
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    return format(bytes);
  };
}

/** Version 4 UUIDs from an injected random source in [0,1). */
export function uuidV4Generator(random: () => number): UUIDGenerator {
  return () => {
    const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
    bytes[6] = 0x40 | (bytes[6] & 0x0f);
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    return format(bytes);
  };
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
