import type { SpecMigration } from './types.ts';
import { actionsOf, byteLength, localizationOf, nodesOf, str, typeOf } from './primitives.ts';

/** open_ticket `body` is renamed `note`; localization languages that aren't 3-letter codes are dropped. */
export const v14_2_0: SpecMigration = {
  version: '14.2.0',
  migrate(flow) {
    for (const node of nodesOf(flow)) {
      for (const action of actionsOf(node)) {
        const body = str(action.body);
        if (typeOf(action) === 'open_ticket' && body !== '') {
          action.note = body;
          delete action.body;
        }
      }
    }
    const loc = localizationOf(flow);
    for (const lang of Object.keys(loc ?? {})) {
      if (byteLength(lang) !== 3) delete loc![lang];
    }
  },
};
