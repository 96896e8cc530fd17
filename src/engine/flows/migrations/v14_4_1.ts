import type { SpecMigration } from './types.ts';
import { LanguageTranslations, isObject, nodesOf, uuidOf } from './primitives.ts';
import { webhookSplitRouter } from './webhook_nodes.ts';

/**
 * Webhook/resthook splits take their canonical shape: operand `@webhook.status`, one Success case
 * `has_number_between 200 299`. Older migrations and editors left `@webhook.json.status` splits that
 * routed successful calls to Failure. Case arguments here are never localized, so stale ones go.
 */
export const v14_4_1: SpecMigration = {
  version: '14.4.1',
  migrate(flow) {
    const langs = LanguageTranslations.all(flow);
    for (const node of nodesOf(flow)) {
      const router = webhookSplitRouter(node);
      const cases = router && Array.isArray(router.cases) ? router.cases : [];
      if (!router || cases.length === 0 || !isObject(cases[0])) continue;

      const first = cases[0];
      first.type = 'has_number_between';
      first.arguments = ['200', '299'];
      router.operand = '@webhook.status';
      router.cases = [first];

      for (const lt of langs) {
        for (const c of cases) {
          const caseUUID = uuidOf(c);
          if (caseUUID) lt.delete(caseUUID, 'arguments');
        }
      }
    }
  },
};
