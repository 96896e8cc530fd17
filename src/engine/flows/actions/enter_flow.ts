import type { ActionDef } from '../definition/flow.ts';
import { failRunFromAction } from './support/helpers.ts';
import { defineAction, uuidRefs, UNIVERSAL } from './support/types.ts';

/** Pushes a child flow; the engine starts it once this node's actions are done. */
export default defineAction<ActionDef & { flow: { uuid: string; name: string }; terminal?: boolean }>({
  type: 'enter_flow',
  flowTypes: UNIVERSAL,
  inspect: (a, add) => uuidRefs('flow', a.flow, add),
  execute(run, _step, a, log) {
    const flow = run.session.assets.flow(a.flow.uuid);
    if (flow instanceof Error) {
      failRunFromAction(run, `Unable to find flow '${a.flow.name}'`, log);
      return;
    }
    const sessionType = run.session.type;
    if (sessionType !== flow.type && flow.type !== 'messaging_background') {
      failRunFromAction(run, `Can't enter flow[uuid=${flow.uuid},name=${flow.name}] of type ${flow.type} from type ${sessionType}`, log);
      return;
    }
    run.session.pushFlow(flow, a.terminal === true);
  },
});
