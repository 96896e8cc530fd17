import { checkRefs, check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import { resolveLabels } from './support/helpers.ts';
import { defineAction, uuidRefs, INTERACTIVE } from './support/types.ts';

export default defineAction<ActionDef & { labels: { uuid?: string; name?: string; name_match?: string }[] }>({
  type: 'add_input_labels',
  flowTypes: INTERACTIVE,
  inspect: (a, add) => uuidRefs('label', a.labels, add),
  textFields: [{ name: 'labels', refs: true }],
  validate: (a) => collect(check.required('labels', a.labels), check.maxItems('labels', a.labels, 100), checkRefs('labels', a.labels)),
  execute(run, _step, a, log) {
    const input = run.session.input;
    if (!input) {
      log('error', { text: 'No input to add labels to' });
      return;
    }
    const labels = resolveLabels(run, a.labels, log);
    if (labels.length) log('input_labels_added', { input_uuid: input.uuid, labels: labels.map((l) => ({ uuid: l.uuid, name: l.name })) });
  },
});
