import type { FastifyRequest } from 'fastify';
import { badRequest } from './errors.ts';
import { parseDatetimeParam } from './datetimes.ts';

type Query = Record<string, string | string[] | undefined>;

function queryOf(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}

/** All values of a query parameter, in order. */
export function paramAll(req: FastifyRequest, name: string): string[] {
  const v = queryOf(req)[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A single-valued parameter: the last value when repeated (Django's QueryDict.get). */
export function param(req: FastifyRequest, name: string): string | undefined {
  const all = paramAll(req, name);
  return all.length ? all[all.length - 1] : undefined;
}

/** A parameter given with a non-empty value (mutual exclusion counts only those). */
export function paramGiven(req: FastifyRequest, name: string): boolean {
  return !!param(req, name);
}

/** Booleans as RapidPro reads them: true iff the lowercased value is true, y, yes or 1. */
export function parseBoolean(value: string | undefined): boolean {
  return value !== undefined && ['true', 'y', 'yes', '1'].includes(value.toLowerCase());
}

export function boolParam(req: FastifyRequest, name: string, dflt = false): boolean {
  const v = param(req, name);
  return v === undefined ? dflt : parseBoolean(v);
}

const UUID_FORMS = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** Python's UUID() acceptance: canonical, upper case, braces, 32 bare hex digits. Canonical out. */
export function normalizeUuid(value: string): string | null {
  const m = UUID_FORMS.exec(value.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase() : null;
}

/**
 * A UUID parameter: every value is validated (400 on a bad one), at most 100 values, and the
 * first is used. Returns undefined when absent.
 */
export function uuidParam(req: FastifyRequest, name: string): string | undefined {
  const all = uuidParams(req, name);
  return all.length ? all[0] : undefined;
}

export function uuidParams(req: FastifyRequest, name: string): string[] {
  const values = paramAll(req, name);
  if (values.length > 100) throw badRequest(`Param '${name}' can have a maximum of 100 values.`);
  return values.map((v) => {
    const u = normalizeUuid(v);
    if (!u) throw badRequest(`Param '${name}': ${v} is not a valid UUID.`);
    return u;
  });
}

/** An integer parameter (`id`): non-integers are a 400. */
export function intParam(req: FastifyRequest, name: string): number | undefined {
  const v = param(req, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v))) throw badRequest(`Value for ${name} must be an integer`);
  return Number(v);
}

/**
 * `before`/`after`: an unparseable value gives an empty result rather than an error, so this
 * returns `{ invalid: true }` in that case for the caller to short-circuit.
 */
export function datetimeParam(req: FastifyRequest, name: string): { value?: string; invalid?: boolean } {
  const v = param(req, name);
  if (v === undefined || v === '') return {};
  const parsed = parseDatetimeParam(v);
  return parsed ? { value: parsed } : { invalid: true };
}

/** Rejects more than one of a set of mutually exclusive parameters. */
export function exclusiveParams(req: FastifyRequest, names: string[]): void {
  if (names.filter((n) => paramGiven(req, n)).length > 1) {
    throw badRequest(`You may only specify one of the ${names.join(', ')} parameters`);
  }
}
