import { urnForExpressions } from './display.ts';
import { parseURN } from './parse.ts';
import { ENGINE_SCHEMES } from './schemes.ts';

/**
 * goflow's `@urns`: for every scheme the engine knows, the contact's highest-priority URN of that
 * scheme as expressions show it (no channel query, or redacted), else null. A URN of a scheme the
 * engine does not know still gets its key, as in goflow. `urns` are in priority order.
 */
export function urnsContext(urns: readonly string[], options: { redact?: boolean } = {}): Record<string, string | null> {
  const byScheme: Record<string, string | null> = {};
  for (const urn of urns) {
    const scheme = parseURN(urn)?.scheme;
    if (scheme && !(scheme in byScheme)) byScheme[scheme] = urnForExpressions(urn, options);
  }
  for (const scheme of ENGINE_SCHEMES) if (!(scheme in byScheme)) byScheme[scheme] = null;
  return byScheme;
}
