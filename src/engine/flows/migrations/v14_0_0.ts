import type { SpecMigration } from './types.ts';
import { nodesOf, objects, routerOf, str } from './primitives.ts';

const MAX_EXPIRES: Record<string, number> = { messaging: 20160, voice: 15 };

/** Clamps `expire_after_minutes` to what the flow type allows and names unnamed categories. */
export const v14_0_0: SpecMigration = {
  version: '14.0.0',
  migrate(flow) {
    const expires = flow.expire_after_minutes;
    if (typeof expires === 'number' && Number.isInteger(expires)) {
      flow.expire_after_minutes = Math.min(expires, MAX_EXPIRES[str(flow.type)] ?? 0);
    }
    for (const node of nodesOf(flow)) {
      for (const cat of objects(routerOf(node)?.categories)) {
        if (str(cat.name) === '') cat.name = 'Match';
      }
    }
  },
};
