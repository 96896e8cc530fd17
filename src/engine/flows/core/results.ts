/** A saved run result (goflow's JSON shape). */
export interface Result {
  name: string;
  value: string;
  category?: string;
  category_localized?: string;
  node_uuid: string;
  input?: string;
  extra?: unknown;
  created_on: string;
}

/**
 * Result key: trimmed, lowercased, every run of characters other than letters, digits and `_`
 * collapsed to `_`.
 */
export function snakify(name: string): string {
  return name.trim().toLowerCase().replace(/[^\p{L}0-9_]+/gu, '_');
}

export type Results = Record<string, Result>;

/** Saves a result; returns whether value or category changed and the previous result if any. */
export function saveResult(results: Results, result: Result): { changed: boolean; previous?: Result } {
  const key = snakify(result.name);
  const previous = results[key];
  results[key] = result;
  const changed = !previous || previous.value !== result.value || (previous.category ?? '') !== (result.category ?? '');
  return { changed, previous: changed ? previous : undefined };
}

/** Truncates to a number of characters (code points), as goflow's stringsx.Truncate. */
export function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? chars.slice(0, max).join('') : s;
}

/** Truncates with a trailing ellipsis counted in the limit. */
export function truncateEllipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? `${chars.slice(0, max - 3).join('')}...` : s;
}
