import type { AssetRef, ContactQuery } from './ast.ts';
import type { QueryableContact } from './contact.ts';
import type { QueryEnvironment } from './environment.ts';
import { evaluateQuery } from './evaluate.ts';

/** A group defined by a query, with the query already parsed (against the workspace's assets). */
export interface SmartGroup extends AssetRef {
  query: ContactQuery;
}

/**
 * Which smart groups a contact joins and leaves after a change: every smart group is evaluated
 * against the contact, and compared with the groups it is in now (`contact.groups`). Manual groups
 * are left alone. The engine logs the result as one `contact_groups_changed` event.
 */
export function reevaluateSmartGroups(
  smartGroups: readonly SmartGroup[],
  contact: QueryableContact,
  env: QueryEnvironment,
): { added: AssetRef[]; removed: AssetRef[] } {
  const current = new Set((contact.groups ?? []).map((g) => g.uuid));
  const added: AssetRef[] = [];
  const removed: AssetRef[] = [];
  for (const group of smartGroups) {
    const qualifies = evaluateQuery(group.query, contact, env);
    const member = current.has(group.uuid);
    if (qualifies && !member) added.push({ uuid: group.uuid, name: group.name });
    else if (!qualifies && member) removed.push({ uuid: group.uuid, name: group.name });
  }
  return { added, removed };
}
