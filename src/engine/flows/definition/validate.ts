import { UUID_PATTERN } from '../core/uuids.ts';

/**
 * Field checks that produce goflow's validation wording ("field 'x' is required", ...).
 * Each returns an error message or null so action validators can list what applies.
 */
export const check = {
  required(name: string, v: unknown): string | null {
    const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    return empty ? `field '${name}' is required` : null;
  },
  maxItems(name: string, v: unknown, max: number): string | null {
    return Array.isArray(v) && v.length > max ? `field '${name}' must have a maximum of ${max} items` : null;
  },
  maxLength(name: string, v: unknown, max: number): string | null {
    if (typeof v === 'string' && [...v].length > max) return `field '${name}' must be less than or equal to ${max}`;
    if (Array.isArray(v) && v.length > max) return `field '${name}' must be less than or equal to ${max}`;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > max) {
      return `field '${name}' must be less than or equal to ${max}`;
    }
    return null;
  },
  eachMaxLength(name: string, v: unknown, max: number): string | null {
    if (!Array.isArray(v)) return null;
    for (let i = 0; i < v.length; i++) {
      const e = check.maxLength(`${name}[${i}]`, v[i], max);
      if (e) return e;
    }
    return null;
  },
  uuid(name: string, v: unknown): string | null {
    return typeof v === 'string' && v !== '' && !UUID_PATTERN.test(v) ? `field '${name}' must be a valid UUID` : null;
  },
  oneOf(name: string, v: unknown, allowed: string[], what: string): string | null {
    return typeof v === 'string' && v !== '' && !allowed.includes(v) ? `field '${name}' is not a valid ${what}` : null;
  },
  resultName(name: string, v: unknown): string | null {
    if (v === undefined || v === null || v === '') return null;
    return typeof v === 'string' && v.length <= 64 && v.trim() !== '' ? null : `field '${name}' is not a valid result name`;
  },
};

/** Checks a list of asset references ({uuid,name} or {name_match}). */
export function checkRefs(name: string, refs: unknown): string | null {
  if (!Array.isArray(refs)) return null;
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i] as { uuid?: unknown; name_match?: unknown } | null;
    if (r && r.name_match === undefined) {
      const e = check.uuid(`${name}[${i}].uuid`, r.uuid) ?? check.required(`${name}[${i}].uuid`, r.uuid);
      if (e) return e;
    }
  }
  return null;
}

export function collect(...errs: (string | null)[]): string[] {
  return errs.filter((e): e is string => e !== null);
}
