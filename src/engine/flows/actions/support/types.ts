import type { EventLogger } from '../../core/events.ts';
import type { ActionDef, FlowType } from '../../definition/flow.ts';
import type { Run, Step } from '../../run.ts';

/** One action type: where it may appear, how it is validated and what it does. */
export interface ActionType<A extends ActionDef = ActionDef> {
  type: string;
  flowTypes: FlowType[];
  /** Validation messages in goflow's wording; empty when valid. */
  validate?(action: A): string[];
  execute(run: Run, step: Step, action: A, log: EventLogger): void | Promise<void>;
}

export const UNIVERSAL: FlowType[] = ['messaging', 'messaging_background', 'messaging_offline', 'voice'];
export const INTERACTIVE: FlowType[] = ['messaging', 'messaging_offline', 'voice'];
export const ONLINE: FlowType[] = ['messaging', 'messaging_background', 'voice'];
export const VOICE: FlowType[] = ['voice'];

/** Declares an action type with its action JSON shape. */
export function defineAction<A extends ActionDef>(def: ActionType<A>): ActionType {
  return def as unknown as ActionType;
}
