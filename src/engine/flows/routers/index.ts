import type { EventLogger } from '../core/events.ts';
import type { Node } from '../definition/flow.ts';
import type { Run, Step } from '../run.ts';
import { routeToCategory } from './results.ts';
import { routeRandom } from './random.ts';
import { routeSwitch } from './switch.ts';

const routers = { switch: routeSwitch, random: routeRandom };


/** Routes a node through its router; returns the exit UUID ('' when no category was picked). */
export function routeNode(run: Run, node: Node, step: Step, log: EventLogger): { exitUUID: string; operand: string } {
  return routers[node.router!.type](run, node, step, log);
}

/** Routes straight to the wait's timeout category (result value and input empty). */
export function routeTimeout(run: Run, node: Node, step: Step, log: EventLogger): string {
  const wait = node.router!.wait;
  const categoryUUID = wait?.type === 'msg' ? wait.timeout?.category_uuid ?? '' : '';
  return routeToCategory(run, node, step, categoryUUID, '', '', null, log);
}
