/**
 * Compares JSON documents ignoring key order and treating UUIDs the migration generated as
 * placeholders: upstream's expected data comes from a seeded generator we don't reproduce, so a
 * generated UUID matches any generated UUID as long as the pairing is consistent throughout
 * (one-to-one, in values and in object keys alike). UUIDs present in the input must match exactly.
 */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every UUID-looking string in a document (values and keys). */
export function collectUUIDs(doc: unknown, into = new Set<string>()): Set<string> {
  if (typeof doc === 'string') {
    if (UUID_RE.test(doc)) into.add(doc);
  } else if (Array.isArray(doc)) {
    doc.forEach((d) => collectUUIDs(d, into));
  } else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (UUID_RE.test(k)) into.add(k);
      collectUUIDs(v, into);
    }
  }
  return into;
}

class Pairing {
  constructor(readonly e2a = new Map<string, string>(), readonly a2e = new Map<string, string>()) {}
  clone(): Pairing { return new Pairing(new Map(this.e2a), new Map(this.a2e)); }
  bind(e: string, a: string): boolean {
    const ea = this.e2a.get(e);
    const ae = this.a2e.get(a);
    if (ea === undefined && ae === undefined) {
      this.e2a.set(e, a);
      this.a2e.set(a, e);
      return true;
    }
    return ea === a && ae === e;
  }
}

type Obj = Record<string, unknown>;
interface Deferred { e: Obj; a: Obj; keysE: string[]; keysA: string[]; path: string }

class Comparer {
  deferred: Deferred[] = [];
  constructor(private readonly fixed: Set<string>, public pairing: Pairing) {}

  private generated(s: string): boolean { return UUID_RE.test(s) && !this.fixed.has(s); }

  /** Returns the path of the first difference, or null. */
  compare(e: unknown, a: unknown, path: string): string | null {
    if (typeof e === 'string' && typeof a === 'string') {
      if (this.generated(e) || this.generated(a)) {
        return this.generated(e) && this.generated(a) && this.pairing.bind(e, a) ? null : `${path}: ${e} vs ${a}`;
      }
      return e === a ? null : `${path}: ${JSON.stringify(e)} vs ${JSON.stringify(a)}`;
    }
    if (Array.isArray(e) || Array.isArray(a)) {
      if (!Array.isArray(e) || !Array.isArray(a) || e.length !== a.length) return `${path}: ${JSON.stringify(e)} vs ${JSON.stringify(a)}`;
      for (let i = 0; i < e.length; i++) {
        const d = this.compare(e[i], a[i], `${path}[${i}]`);
        if (d) return d;
      }
      return null;
    }
    if (e && a && typeof e === 'object' && typeof a === 'object') {
      const eo = e as Obj;
      const ao = a as Obj;
      const plainE = Object.keys(eo).filter((k) => !this.generated(k)).sort();
      const plainA = Object.keys(ao).filter((k) => !this.generated(k)).sort();
      if (plainE.join('\u0000') !== plainA.join('\u0000')) return `${path}: keys ${plainE.join(',')} vs ${plainA.join(',')}`;
      for (const k of plainE) {
        const d = this.compare(eo[k], ao[k], `${path}.${k}`);
        if (d) return d;
      }
      const keysE = Object.keys(eo).filter((k) => this.generated(k));
      const keysA = Object.keys(ao).filter((k) => this.generated(k));
      if (keysE.length !== keysA.length) return `${path}: ${keysE.length} generated keys vs ${keysA.length}`;
      // keys are paired once the rest of the document has bound what it can
      if (keysE.length > 0) this.deferred.push({ e: eo, a: ao, keysE, keysA, path });
      return null;
    }
    return e === a ? null : `${path}: ${JSON.stringify(e)} vs ${JSON.stringify(a)}`;
  }

  resolveDeferred(): string | null {
    while (this.deferred.length > 0) {
      const { e, a, keysE, keysA, path } = this.deferred.shift() as Deferred;
      const unbound: string[] = [];
      for (const k of keysE) {
        const mapped = this.pairing.e2a.get(k);
        if (mapped === undefined) { unbound.push(k); continue; }
        if (!(mapped in a)) return `${path}: key ${k} has no counterpart`;
        const d = this.compare(e[k], a[mapped], `${path}.${k}`);
        if (d) return d;
      }
      for (const k of unbound) {
        const candidates = keysA.filter((ka) => !this.pairing.a2e.has(ka));
        const match = candidates.find((ka) => {
          const trial = new Comparer(this.fixed, this.pairing.clone());
          if (!trial.pairing.bind(k, ka) || trial.compare(e[k], a[ka], path) || trial.resolveDeferred()) return false;
          return true;
        });
        if (match === undefined) return `${path}.${k}: no matching entry`;
        this.pairing.bind(k, match);
        const d = this.compare(e[k], a[match], `${path}.${k}`);
        if (d) return d;
      }
    }
    return null;
  }
}

/** null when equal (modulo key order and generated UUIDs), else where they first differ. */
export function diffJSON(expected: unknown, actual: unknown, inputUUIDs: Set<string>): string | null {
  const c = new Comparer(inputUUIDs, new Pairing());
  return c.compare(expected, actual, '$') ?? c.resolveDeferred();
}
