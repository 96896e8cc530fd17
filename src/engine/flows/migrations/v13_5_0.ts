import type { SpecMigration } from './types.ts';
import { type JSONObject, LanguageTranslations, actionsOf, isObject, localizationOf, nodesOf, objects, str, typeOf, uuidOf } from './primitives.ts';

/** send_msg templating components are flattened into `template` + `template_variables`. */
export const v13_5_0: SpecMigration = {
  version: '13.5.0',
  migrate(flow) {
    const loc = localizationOf(flow);
    for (const node of nodesOf(flow)) {
      for (const action of actionsOf(node)) {
        const templating = action.templating;
        if (typeOf(action) !== 'send_msg' || !isObject(templating)) continue;

        const variables: string[] = [];
        const localized = new Map<JSONObject, string[]>();
        const langsWithParams = new Set<JSONObject>();

        for (const comp of objects(templating.components)) {
          const compUUID = uuidOf(comp);
          const params = Array.isArray(comp.params) ? comp.params.map(str) : [];
          variables.push(...params);

          for (const langObj of loc ? Object.values(loc).filter(isObject) : []) {
            const lt = new LanguageTranslations(langObj);
            const translated = lt.get(compUUID, 'params');
            const acc = localized.get(langObj) ?? [];
            if (translated) {
              acc.push(...translated);
              lt.delete(compUUID, 'params');
              langsWithParams.add(langObj);
            } else {
              // this component's params aren't translated but others may be
              acc.push(...params);
            }
            localized.set(langObj, acc);
          }
        }

        action.template = templating.template ?? null;
        action.template_variables = variables;
        delete action.templating;

        for (const [langObj, vars] of localized) {
          if (langsWithParams.has(langObj)) new LanguageTranslations(langObj).set(uuidOf(action), 'template_variables', vars);
        }
      }
    }
  },
};
