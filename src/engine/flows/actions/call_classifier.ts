import type { ActionDef } from '../definition/flow.ts';
import { str } from './support/helpers.ts';
import { defineAction, ONLINE } from './support/types.ts';

/** Deprecated: classifiers are gone, so this always records a Failure result. */
export default defineAction<ActionDef & { input?: string; result_name: string }>({
  type: 'call_classifier',
  flowTypes: ONLINE,
  inspect: (a, add) => { if (a.result_name) add.result(a.result_name, ['Success', 'Skipped', 'Failure']); },
  textFields: [{ name: 'input', evaluated: true }],
  execute(run, step, a, log) {
    const [input] = run.evaluate(str(a.input), log);
    log('warning', { text: 'NLU classifiers are no longer supported' });
    run.saveResult(a.result_name, '0', 'Failure', '', step.node_uuid, input, null, log);
  },
});
