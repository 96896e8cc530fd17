import type { SpecMigration } from './types.ts';
import { actionsOf, byteLength, nodesOf, objects, routerOf, str, truncateChars, typeOf } from './primitives.ts';

const MAX_RESULT_NAME = 64;
const MAX_CATEGORY_NAME = 36;

function fit(value: unknown, max: number): string | null {
  const s = str(value);
  // goflow measures bytes but truncates characters, then drops any trailing space left behind
  return byteLength(s) > max ? truncateChars(s, max).trim() : null;
}

/** Truncates result and category names that exceed the definition limits. */
export const v13_6_0: SpecMigration = {
  version: '13.6.0',
  migrate(flow) {
    for (const node of nodesOf(flow)) {
      for (const action of actionsOf(node)) {
        if (typeOf(action) !== 'set_run_result') continue;
        const name = fit(action.name, MAX_RESULT_NAME);
        if (name !== null) action.name = name;
        const category = fit(action.category, MAX_CATEGORY_NAME);
        if (category !== null) action.category = category;
      }
      const router = routerOf(node);
      if (!router) continue;
      const resultName = fit(router.result_name, MAX_RESULT_NAME);
      if (resultName !== null) router.result_name = resultName;
      for (const cat of objects(router.categories)) {
        const name = fit(cat.name, MAX_CATEGORY_NAME);
        if (name !== null) cat.name = name;
      }
    }
  },
};
