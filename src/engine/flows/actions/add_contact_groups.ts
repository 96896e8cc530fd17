import { checkRefs, check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import { groupsModifier } from '../modifiers/groups.ts';
import { modifyContact, resolveGroups } from './support/helpers.ts';
import { defineAction, uuidRefs, UNIVERSAL } from './support/types.ts';

export default defineAction<ActionDef & { groups: { uuid?: string; name?: string; name_match?: string }[] }>({
  type: 'add_contact_groups',
  flowTypes: UNIVERSAL,
  inspect: (a, add) => uuidRefs('group', a.groups, add),
  textFields: [{ name: 'groups', refs: true }],
  validate: (a) => collect(check.required('groups', a.groups), check.maxItems('groups', a.groups, 100), checkRefs('groups', a.groups)),
  execute(run, _step, a, log) {
    const groups = resolveGroups(run, a.groups, log);
    modifyContact(run, groupsModifier(groups, 'add'), log);
  },
});
