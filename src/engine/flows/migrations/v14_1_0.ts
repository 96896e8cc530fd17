import type { SpecMigration } from './types.ts';
import { actionsOf, isObject, nodesOf, str, typeOf } from './primitives.ts';
import { webhookSplitRouter } from './webhook_nodes.ts';

const MAX_QUICK_REPLIES = 10;

/** Webhook splits test the HTTP status instead of the action's result; quick replies capped at 10. */
export const v14_1_0: SpecMigration = {
  version: '14.1.0',
  migrate(flow) {
    for (const node of nodesOf(flow)) {
      const router = webhookSplitRouter(node);
      if (!router) continue;
      const cases = Array.isArray(router.cases) ? router.cases : [];
      if (!str(router.operand).startsWith('@results.') || cases.length === 0 || !isObject(cases[0])) continue;
      const first = cases[0];
      first.type = 'has_number_between';
      first.arguments = ['200', '299'];
      router.operand = '@webhook.status';
      router.cases = [first];
    }

    for (const node of nodesOf(flow)) {
      for (const action of actionsOf(node)) {
        const t = typeOf(action);
        if ((t === 'send_msg' || t === 'send_broadcast') && Array.isArray(action.quick_replies) && action.quick_replies.length > MAX_QUICK_REPLIES) {
          action.quick_replies = action.quick_replies.slice(0, MAX_QUICK_REPLIES);
        }
      }
    }
  },
};
