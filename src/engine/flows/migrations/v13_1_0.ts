import type { SpecMigration } from './types.ts';
import { actionsOf, isObject, nodesOf, typeOf } from './primitives.ts';

/** Gives send_msg templating objects a UUID so their variables can be localized. */
export const v13_1_0: SpecMigration = {
  version: '13.1.0',
  migrate(flow, ctx) {
    for (const node of nodesOf(flow)) {
      for (const action of actionsOf(node)) {
        if (typeOf(action) === 'send_msg' && isObject(action.templating)) action.templating.uuid = ctx.newUUID();
      }
    }
  },
};
