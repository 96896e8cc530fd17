import type { SpecMigration } from './types.ts';
import { actionsOf, isObject, nodesOf, routerOf, str, typeOf } from './primitives.ts';

const OUTPUT_LOCALS: Record<string, string> = { open_ticket: '_new_ticket', transfer_airtime: '_new_transfer' };

/** Ticket and airtime splits test the action's output local, and the result moves to the router. */
export const v14_3_0: SpecMigration = {
  version: '14.3.0',
  migrate(flow) {
    for (const node of nodesOf(flow)) {
      const actions = actionsOf(node);
      const router = routerOf(node);
      const local = actions.length === 1 ? OUTPUT_LOCALS[typeOf(actions[0])] : undefined;
      if (!local || typeOf(router) !== 'switch' || !router) continue;

      const cases = Array.isArray(router.cases) ? router.cases : [];
      if (!str(router.operand).startsWith('@results.') || cases.length === 0 || !isObject(cases[0])) continue;
      const first = cases[0];
      first.type = 'has_text';
      first.arguments = [];
      router.operand = '@locals.' + local;
      router.cases = [first];

      const action = actions[0];
      router.result_name = action.result_name ?? null;
      delete action.result_name;
    }
  },
};
