import type { GroupAsset } from '../assets.ts';
import type { Modifier } from './apply.ts';

/** Adds to or removes from manual groups; query-based groups can't be changed by hand. */
export const groupsModifier = (groups: GroupAsset[], mode: 'add' | 'remove'): Modifier => (contact, { log }) => {
  if (contact.status === 'blocked' || contact.status === 'stopped') {
    log('error', { text: "Can't add blocked or stopped contacts to groups" });
    return false;
  }
  const diff: { uuid: string; name: string }[] = [];
  for (const g of groups) {
    if (g.query) {
      log('error', {
        text: mode === 'add'
          ? `Can't add contacts to the query based group '${g.name}'`
          : `Can't remove contacts from the query based group '${g.name}'`,
      });
      continue;
    }
    const member = contact.inGroup(g.uuid);
    const ref = { uuid: g.uuid, name: g.name };
    if (mode === 'add' && !member) {
      contact.groups.push(ref);
      diff.push(ref);
    } else if (mode === 'remove' && member) {
      contact.groups = contact.groups.filter((x) => x.uuid !== g.uuid);
      diff.push(ref);
    }
  }
  if (!diff.length) return false;
  log('contact_groups_changed', mode === 'add' ? { groups_added: diff } : { groups_removed: diff });
  return true;
};
