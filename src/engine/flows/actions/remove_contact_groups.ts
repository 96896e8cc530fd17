import { checkRefs, check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import { groupsModifier } from '../modifiers/groups.ts';
import { modifyContact, resolveGroups } from './support/helpers.ts';
import { defineAction, uuidRefs, UNIVERSAL } from './support/types.ts';

type Refs = { uuid?: string; name?: string; name_match?: string }[];

export default defineAction<ActionDef & { groups?: Refs; all_groups?: boolean }>({
  type: 'remove_contact_groups',
  flowTypes: UNIVERSAL,
  inspect: (a, add) => uuidRefs('group', a.groups, add),
  textFields: [{ name: 'groups', refs: true }],
  validate: (a) => collect(
    check.maxItems('groups', a.groups, 100),
    checkRefs('groups', a.groups),
    a.all_groups && a.groups?.length ? "can't specify specific groups when all_groups=true" : null,
  ),
  execute(run, _step, a, log) {
    const groups = a.all_groups
      ? run.session.assets.groups.filter((g) => !g.query)
      : resolveGroups(run, a.groups ?? [], log);
    modifyContact(run, groupsModifier(groups, 'remove'), log);
  },
});
