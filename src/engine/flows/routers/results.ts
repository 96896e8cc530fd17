import type { EventLogger } from '../core/events.ts';
import type { Node } from '../definition/flow.ts';
import type { Run, Step } from '../run.ts';

/**
 * Moves to a category: saves the router's result (when it has a result name) and returns the
 * category's exit UUID, or '' when no category was picked.
 */
export function routeToCategory(
  run: Run, node: Node, step: Step, categoryUUID: string, match: string, operand: string,
  extra: unknown, log: EventLogger,
): string {
  if (!categoryUUID) return '';
  const router = node.router!;
  const category = router.categories.find((c) => c.uuid === categoryUUID);
  if (!category) throw new Error(`category ${categoryUUID} is not a valid category`);
  if (router.result_name) {
    const [localized] = run.text(category.uuid, 'name', '');
    run.saveResult(router.result_name, match, category.name, localized, step.node_uuid, operand, extra, log);
  }
  return category.exit_uuid;
}
