import type { EventLogger } from '../core/events.ts';
import type { Node } from '../definition/flow.ts';
import type { Run, Step } from '../run.ts';
import { renderRandom } from '../expressions.ts';
import { routeToCategory } from './results.ts';

/** Picks a category uniformly with the environment's random source; the result is its index. */
export function routeRandom(run: Run, node: Node, step: Step, log: EventLogger): { exitUUID: string; operand: string } {
  const categories = node.router!.categories;
  const r = run.session.env.random();
  const index = Math.min(Math.floor(r * categories.length), categories.length - 1);
  const operand = renderRandom(r);
  const exitUUID = routeToCategory(run, node, step, categories[index].uuid, String(index), operand, null, log);
  return { exitUUID, operand };
}
