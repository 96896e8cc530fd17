import { checkURN, normalizeURN, parseURN, urnIdentity, type URNCheck } from '../engine/urns/index.ts';

/**
 * Contact URNs as the contact model stores them: the pure URN library (src/engine/urns) does the
 * parsing, normalisation and validation; this module only splits a normalised URN into the
 * columns of contact_urns.
 */
export interface Urn {
  scheme: string;
  path: string;
  /** `scheme:path`, the uniqueness key within a workspace */
  identity: string;
  display: string | null;
}

/** Columns of an already normalised URN. */
export function toUrn(normalized: string): Urn {
  const parsed = parseURN(normalized);
  if (!parsed) throw new Error(`not a URN: ${normalized}`);
  return { scheme: parsed.scheme, path: parsed.path, identity: urnIdentity(normalized)!, display: parsed.display ?? null };
}

/** A URN from a write body: normalised with the workspace country, then validated strictly. */
export function urnForWrite(text: string, country: string): { ok: true; urn: Urn } | Extract<URNCheck, { ok: false }> {
  // messages of the failures are RapidPro's, in its order (see checkURN)
  const r = checkURN(text, country || null);
  return r.ok ? { ok: true, urn: toUrn(r.urn) } : r;
}

/** A URN in `?urn=`: normalised with the workspace country, not validated (unknown ones just match nothing). */
export function urnForLookup(text: string, country: string): Urn | null {
  if (text.includes('\0')) return null;
  const n = normalizeURN(text, country || null);
  return n ? toUrn(n) : null;
}

/** A contact reference in a body: tried as a URN normalised without the workspace country. */
export function urnIdentityOfReference(text: string): string | null {
  const n = normalizeURN(text);
  return n ? urnIdentity(n) : null;
}
