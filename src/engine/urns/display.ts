import { formatURN, parseURN } from './parse.ts';
import { formatPhone } from './phone.ts';

/** What anonymous workspaces show instead of a URN path (and goflow's URN redaction). */
export const ANON_MASK = '********';

export interface DisplayOptions {
  /**
   * Accepted for callers that have a workspace country at hand, but RapidPro's `urn_display`
   * does not use it: a number is always shown in its own country's national format.
   */
  country?: string | null;
  /** `+250 788 123 123` instead of `0788 123 123` (RapidPro's UI lists and exports use this) */
  international?: boolean;
}

/**
 * RapidPro's human form of a URN (`URN.format`, the API's `urn_display`): E.164 `tel` paths and
 * all-digit `whatsapp` paths as formatted phone numbers, otherwise the `#display` part when there
 * is one, otherwise the path. Null when the text is not structurally a URN.
 */
export function displayURN(urn: string, options: DisplayOptions = {}): string | null {
  const parsed = parseURN(urn);
  if (!parsed) return null;
  const { scheme, path, display } = parsed;

  const number = scheme === 'tel' ? path : scheme === 'whatsapp' && /^[0-9]+$/.test(path) ? '+' + path : '';
  if (number.startsWith('+')) {
    const formatted = formatPhone(number, options.international ?? false);
    if (formatted !== null) return formatted;
  }
  return display || path;
}

/**
 * goflow's `URN.Format` (the `format_urn` expression function): the `#display` part wins; a `tel`
 * path with a country code is shown in its national format; otherwise the path.
 */
export function formatURNForEngine(urn: string): string | null {
  const parsed = parseURN(urn);
  if (!parsed) return null;
  if (parsed.display) return parsed.display;
  if (parsed.scheme === 'tel') return formatPhone(parsed.path) ?? parsed.path;
  return parsed.path;
}

/**
 * `scheme:********` — how an anonymous workspace serialises a contact's URN in the API, and how
 * goflow renders every URN under the `urns` redaction policy. Display and query are dropped.
 * Null when the text is not structurally a URN.
 */
export function redactURN(urn: string): string | null {
  const parsed = parseURN(urn);
  return parsed && formatURN({ scheme: parsed.scheme, path: ANON_MASK });
}

/**
 * A URN as flow expressions show it (`@contact.urn`, `@urns.tel`): `scheme:path#display` without
 * the `?channel=` query, or `scheme:********` when the environment redacts URNs. Null when the
 * text is not structurally a URN.
 */
export function urnForExpressions(urn: string, options: { redact?: boolean } = {}): string | null {
  if (options.redact) return redactURN(urn);
  const parsed = parseURN(urn);
  return parsed && formatURN({ scheme: parsed.scheme, path: parsed.path, display: parsed.display });
}
