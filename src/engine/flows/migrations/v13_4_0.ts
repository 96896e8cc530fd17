import type { SpecMigration } from './types.ts';
import { LanguageTranslations, actionsOf, isObject, nodesOf, typeOf, uuidOf } from './primitives.ts';

/** send_msg templating variables move into a single `body` component (with their translations). */
export const v13_4_0: SpecMigration = {
  version: '13.4.0',
  migrate(flow, ctx) {
    const langs = LanguageTranslations.all(flow);
    for (const node of nodesOf(flow)) {
      for (const action of actionsOf(node)) {
        const templating = action.templating;
        if (typeOf(action) !== 'send_msg' || !isObject(templating)) continue;

        const templatingUUID = uuidOf(templating);
        const bodyUUID = ctx.newUUID();
        const variables = Array.isArray(templating.variables) ? templating.variables : [];
        templating.components = [{ uuid: bodyUUID, name: 'body', params: variables }];

        for (const lt of langs) {
          const vars = lt.get(templatingUUID, 'variables');
          if (vars) {
            lt.set(bodyUUID, 'params', vars);
            lt.delete(templatingUUID, 'variables');
          }
        }
        delete templating.uuid;
        delete templating.variables;
      }
    }
  },
};
