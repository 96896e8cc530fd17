/**
 * Compares engine output with upstream expectations. By default generated UUIDs and timestamps
 * must equal upstream's exactly (the harness reproduces goflow's clock, random and UUID
 * generators). With RAPIDPRO_CONFORMANCE_NORMALISE=1, every UUID or timestamp not present in the
 * test's inputs is instead replaced by a placeholder numbered by order of first appearance (keys
 * visited in sorted order), so outputs match when they have the same shape and the same
 * equalities between generated values — useful when exact reproduction is lost.
 */
const NORMALISE = process.env.RAPIDPRO_CONFORMANCE_NORMALISE === '1';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Every UUID and timestamp string appearing anywhere in the inputs. */
export function collectKnown(...inputs: unknown[]): Set<string> {
  const known = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.match(UUID) ?? []) known.add(m.toLowerCase());
      for (const m of v.match(TIME) ?? []) known.add(m);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  inputs.forEach(walk);
  return known;
}

export class Normalizer {
  private uuids = new Map<string, string>();
  private times = new Map<string, string>();

  constructor(private readonly known: Set<string>) {}

  private replace(s: string): string {
    if (!NORMALISE) return s;
    return s
      .replace(UUID, (m) => {
        const k = m.toLowerCase();
        if (this.known.has(k)) return m;
        if (!this.uuids.has(k)) this.uuids.set(k, `uuid#${this.uuids.size + 1}`);
        return this.uuids.get(k)!;
      })
      .replace(TIME, (m) => {
        if (this.known.has(m)) return m;
        if (!this.times.has(m)) this.times.set(m, `time#${this.times.size + 1}`);
        return this.times.get(m)!;
      });
  }

  normalize(v: unknown): unknown {
    if (typeof v === 'string') return this.replace(v);
    if (Array.isArray(v)) return v.map((x) => this.normalize(x));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = this.normalize((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  }
}

/** Canonical JSON: sorted keys, so key order never matters. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      return Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]]));
    }
    return val;
  });
}

/** First differing path between two JSON values (for failure reasons). */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (canonical(a) === canonical(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${path}/${k}`);
      if (d) return d;
    }
  }
  const show = (x: unknown) => (x === undefined ? 'undefined' : JSON.stringify(x)?.slice(0, 160));
  return `${path || '/'}: expected ${show(a)} got ${show(b)}`;
}
