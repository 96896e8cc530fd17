import { snakify } from '../core/results.ts';
import { compareTimes } from '../core/time.ts';
import { X, type XVal } from '../expressions.ts';
import type { Run } from '../run.ts';
import { triggerParams } from '../triggers.ts';

const key = (k: string) => k.toLowerCase().replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 255);

function addValues(into: Record<string, XVal>, values: unknown): void {
  if (Array.isArray(values)) values.forEach((v, i) => { into[String(i)] = X.json(v); });
  else if (values && typeof values === 'object') {
    for (const [k, v] of Object.entries(values)) into[key(k)] = X.json(v);
  }
}

/** Deprecated @legacy_extra: trigger params plus the extras of results, oldest first. */
export function legacyExtraContext(run: Run): XVal {
  return X.lazyObject(() => {
    const props: Record<string, XVal> = {};
    addValues(props, triggerParams(run.session.trigger));
    const results = Object.values(run.results).sort((a, b) => compareTimes(a.created_on, b.created_on));
    for (const r of results) {
      if (r.extra === undefined || r.extra === null) continue;
      props[snakify(r.name)] = X.text((r as { extraText?: string }).extraText ?? JSON.stringify(r.extra));
      addValues(props, r.extra);
    }
    return { props };
  });
}
