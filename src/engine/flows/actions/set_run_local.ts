import { check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import { str } from './support/helpers.ts';
import { defineAction, UNIVERSAL } from './support/types.ts';

const INTEGER = /^[+-]?\d+$/;

export default defineAction<ActionDef & { local: string; value?: string; operation: 'set' | 'increment' | 'clear' }>({
  type: 'set_run_local',
  flowTypes: UNIVERSAL,
  inspect: (a, add) => add.local(a.local),
  textFields: [{ name: 'value', evaluated: true }],
  validate: (a) => collect(
    check.required('local', a.local),
    a.local && !/^[a-z_][a-z0-9_]{0,63}$/.test(a.local) ? "field 'local' is not a valid local name" : null,
    check.required('operation', a.operation),
    check.oneOf('operation', a.operation, ['set', 'increment', 'clear'], 'local operation'),
  ),
  execute(run, _step, a, log) {
    const [value, ok] = run.evaluate(str(a.value), log);
    if (!ok) return;
    if (a.operation === 'set') run.locals[a.local] = value;
    else if (a.operation === 'increment') {
      const existing = INTEGER.test(run.locals[a.local] ?? '') ? parseInt(run.locals[a.local], 10) : 0;
      if (!INTEGER.test(value)) log('error', { text: 'Increment value is not an integer' });
      else run.locals[a.local] = String(existing + parseInt(value, 10));
    } else delete run.locals[a.local];
  },
});
