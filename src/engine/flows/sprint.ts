import type { FlowEvent, Segment } from './core/events.ts';

/** What one start or resume produced: events in order and the exits followed. */
export class Sprint {
  readonly events: FlowEvent[] = [];
  readonly segments: Segment[] = [];
  /** Flows entered or resumed during the sprint, without consecutive repeats. */
  readonly flows: { uuid: string; name: string }[] = [];

  constructor(readonly uuid: string, readonly isInitial: boolean) {}

  logFlow(flow: { uuid: string; name: string }): void {
    if (this.flows[this.flows.length - 1]?.uuid !== flow.uuid) this.flows.push({ uuid: flow.uuid, name: flow.name });
  }
}
