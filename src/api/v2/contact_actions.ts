import type { ApiContext, Endpoint } from '../endpoint.ts';
import { ApiError } from '../errors.ts';
import { BodyValidator, requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { refreshSmartGroups } from '../../models/smart-groups.ts';
import {
  bulkArchiveMessages, bulkChangeGroup, bulkChangeStatus, bulkInterrupt, findGroupsByRefs, releaseContacts, resolveContactRefs,
  type ContactRow,
} from '../../models/contacts.ts';
import { urnIdentityOfReference } from '../../models/urns.ts';
import { MAX_LIST_ITEMS, listField } from './contacts.ts';

const ACTIONS = ['add', 'remove', 'block', 'unblock', 'interrupt', 'archive_messages', 'delete', 'archive'] as const;
type Action = (typeof ACTIONS)[number];
const WITH_GROUP: readonly Action[] = ['add', 'remove'];

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Contact references (UUID as written, or a URN normalised without the workspace country) resolved
 * in two queries; the first unknown one is the error, as DRF reports a many-field.
 */
async function contactsField(v: BodyValidator, ctx: ApiContext, raws: unknown[]): Promise<ContactRow[] | undefined> {
  if (raws.length > MAX_LIST_ITEMS) return v.fail('contacts', [`Ensure this field has no more than ${MAX_LIST_ITEMS} elements.`]);
  for (const r of raws) if (typeof r !== 'string' && typeof r !== 'number') return v.fail('contacts', ['Must be a string or integer']);
  const refs = raws.map((r) => {
    const s = String(r);
    return { uuid: CANONICAL_UUID.test(s) ? s : undefined, identity: urnIdentityOfReference(s) ?? undefined };
  });
  const found = await resolveContactRefs(ctx.db, ctx.workspace.id, refs);
  const missing = found.findIndex((c) => !c);
  if (missing >= 0) return v.fail('contacts', [`No such object: ${String(raws[missing])}`]);
  if (!raws.length) return v.fail('contacts', ["Contacts can't be empty."]);
  return found as ContactRow[];
}

async function post(ctx: ApiContext) {
  const { db, workspace: ws, userId } = ctx;
  const data = requireObjectBody(ctx.body());
  checkWorkspaceWritable(ws);
  const v = new BodyValidator(data);

  let contacts: ContactRow[] | undefined;
  if (!v.has('contacts')) v.fail('contacts', ['This field is required.']);
  else {
    const raws = listField(v, 'contacts');
    if (raws) contacts = await contactsField(v, ctx, raws);
  }
  const action = v.choice('action', ACTIONS, { required: true });
  let groupId: number | undefined;
  if (v.has('group')) {
    const raw = data.group;
    if (raw === null || raw === '') v.fail('group', ['This field may not be null.']);
    else if (typeof raw !== 'string' && typeof raw !== 'number') v.fail('group', ['Must be a string or integer']);
    else {
      const ref = String(raw);
      const lower = ref.toLowerCase();
      const found = await findGroupsByRefs(db, ws.id, [ref]);
      const g = found.find((x) => x.uuid === lower) ?? found.find((x) => x.name.toLowerCase() === lower);
      if (!g) v.fail('group', [`No such object: ${ref}`]);
      else if (g.group_type !== 'M') v.fail('group', [`Contact group must not be query based: ${ref}`]);
      else groupId = g.id;
    }
  }
  if (v.valid && contacts && action) {
    if (WITH_GROUP.includes(action) && groupId === undefined) v.nonField(`For action "${action}" you should also specify a group`);
    else if (!WITH_GROUP.includes(action) && groupId !== undefined) v.nonField(`For action "${action}" you should not specify a group`);
    else if (action === 'add') {
      const inactive = [...new Set(contacts.filter((c) => c.status !== 'A').map((c) => c.uuid))];
      if (inactive.length) v.nonField(`Non-active contacts cannot be added to groups: ${inactive.join(', ')}`);
    }
  }
  v.throwIfInvalid();
  if (!contacts || !action) throw new ApiError(400, { action: ['This field is required.'] });

  const ids = [...new Set(contacts.map((c) => c.id))];
  await db.transaction().execute(async (tx) => {
    switch (action) {
      case 'add':
      case 'remove':
        await bulkChangeGroup(tx, ws.id, userId, ids, groupId!, action === 'add');
        break;
      case 'block':
        await bulkChangeStatus(tx, ws.id, userId, ids, 'blocked');
        break;
      case 'unblock':
        await bulkChangeStatus(tx, ws.id, userId, ids, 'active');
        break;
      case 'interrupt':
        await bulkInterrupt(tx, ws.id, userId, ids);
        break;
      case 'archive_messages':
      case 'archive':
        await bulkArchiveMessages(tx, ws.id, ids);
        break;
      case 'delete':
        await releaseContacts(tx, ws.id, userId, ids);
        break;
    }
    // status changes (and deletes) move contacts in or out of smart groups
    if (['block', 'unblock', 'delete'].includes(action)) await refreshSmartGroups(tx, ws, ids);
  });
  return { status: 204 };
}

export const contactActions: Endpoint = {
  name: 'contact_actions',
  fixedPermission: true,
  handlers: { POST: post },
};
