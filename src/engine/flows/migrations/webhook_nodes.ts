import { type JSONObject, actionsOf, routerOf, typeOf } from './primitives.ts';

const CALL_ACTIONS = ['call_webhook', 'call_resthook'];

/** The router of a node made of one webhook/resthook call and a switch on its outcome, else null. */
export function webhookSplitRouter(node: JSONObject): JSONObject | null {
  const actions = actionsOf(node);
  const router = routerOf(node);
  if (actions.length !== 1 || !CALL_ACTIONS.includes(typeOf(actions[0])) || typeOf(router) !== 'switch') return null;
  return router;
}
