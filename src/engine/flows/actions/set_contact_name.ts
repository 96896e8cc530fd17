import type { ActionDef } from '../definition/flow.ts';
import { nameModifier } from '../modifiers/name.ts';
import { modifyContact, str } from './support/helpers.ts';
import { defineAction, UNIVERSAL } from './support/types.ts';

export default defineAction<ActionDef & { name: string }>({
  type: 'set_contact_name',
  flowTypes: UNIVERSAL,
  textFields: [{ name: 'name', evaluated: true }],
  execute(run, _step, a, log) {
    const [name, ok] = run.evaluate(str(a.name), log);
    if (ok) modifyContact(run, nameModifier(name.trim()), log);
  },
});
