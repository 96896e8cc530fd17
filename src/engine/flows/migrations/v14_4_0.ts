import type { SpecMigration } from './types.ts';
import { actionsOf, nodesOf, typeOf } from './primitives.ts';

/** send_msg no longer supports sending to all of the contact's URNs. */
export const v14_4_0: SpecMigration = {
  version: '14.4.0',
  migrate(flow) {
    for (const node of nodesOf(flow)) {
      for (const action of actionsOf(node)) {
        if (typeOf(action) === 'send_msg') delete action.all_urns;
      }
    }
  },
};
