import { dependencyError } from '../core/events.ts';
import type { ActionDef } from '../definition/flow.ts';
import { fieldModifier } from '../modifiers/field.ts';
import { modifyContact, str } from './support/helpers.ts';
import { defineAction, UNIVERSAL } from './support/types.ts';

export default defineAction<ActionDef & { field: { key: string; name: string }; value: string }>({
  type: 'set_contact_field',
  flowTypes: UNIVERSAL,
  inspect: (a, add) => add.dependency({ type: 'field', key: a.field?.key, name: a.field?.name ?? '' }),
  textFields: [{ name: 'value', evaluated: true }],
  execute(run, _step, a, log) {
    const [value, ok] = run.evaluate(str(a.value), log);
    if (!ok) return;
    const field = run.session.assets.field(a.field?.key);
    if (!field) {
      log('error', dependencyError('field', { key: a.field?.key, name: a.field?.name }));
      return;
    }
    modifyContact(run, fieldModifier(field, value.trim()), log);
  },
});
