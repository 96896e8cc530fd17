import type { SpecMigration } from './types.ts';
import { nodesOf } from './primitives.ts';
import { webhookSplitRouter } from './webhook_nodes.ts';

/** A skipped call leaves `@webhook` null: defaulting the status to 0 routes to Failure without an error. */
export const v14_4_2: SpecMigration = {
  version: '14.4.2',
  migrate(flow) {
    for (const node of nodesOf(flow)) {
      const router = webhookSplitRouter(node);
      if (router && router.operand === '@webhook.status') router.operand = '@(default(webhook.status, 0))';
    }
  },
};
