import type { SpecMigration } from './types.ts';
import { byteLength, localizationOf, str } from './primitives.ts';

/** Replaces a flow language that isn't an ISO-639-3 code (the old `base`) with `und`. */
export const v13_2_0: SpecMigration = {
  version: '13.2.0',
  migrate(flow) {
    if (byteLength(str(flow.language)) === 3) return;
    flow.language = 'und';
    const loc = localizationOf(flow);
    if (loc) delete loc.und;
  },
};
