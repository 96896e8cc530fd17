import { check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import { str } from './support/helpers.ts';
import { defineAction, UNIVERSAL } from './support/types.ts';

export default defineAction<ActionDef & { name: string; value: string; category?: string }>({
  type: 'set_run_result',
  flowTypes: UNIVERSAL,
  inspect: (a, add) => add.result(a.name, a.category ? [a.category] : []),
  textFields: [{ name: 'value', evaluated: true }, { name: 'category', localized: true }],
  validate: (a) => collect(check.required('name', a.name), check.maxLength('name', a.name, 64), check.maxLength('category', a.category, 64)),
  execute(run, step, a, log) {
    const [value, ok] = run.evaluate(str(a.value), log);
    if (!ok) return;
    const category = str(a.category);
    let [localized] = run.text(a.uuid, 'category', category);
    if (localized === category) localized = '';
    run.saveResult(a.name, value, category, localized, step.node_uuid, '', null, log);
  },
});
