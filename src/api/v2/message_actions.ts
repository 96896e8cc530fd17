import { sql } from 'kysely';
import type { Endpoint } from '../endpoint.ts';
import { BodyValidator, nameValidators, requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { normalizeUuid } from '../params.ts';
import { createLabel } from '../../models/labels.ts';
import { deleteMsgs, findActionTargets, labelMsgs, setVisibility, unlabelMsgs } from '../../models/msgs.ts';
import { MAX_REFS, listOf } from './messaging-fields.ts';

const ACTIONS = ['label', 'unlabel', 'archive', 'restore', 'delete'] as const;
type Action = (typeof ACTIONS)[number];

/**
 * Bulk actions on messages. Messages are given by integer id (the documented form) or by UUID
 * (what rapidpro-python ≥ 2.19 sends); ones that are not visible/archived messages of the workspace
 * come back in `failures`, as submitted.
 */
export const messageActions: Endpoint = {
  name: 'message_actions',
  fixedPermission: true,
  handlers: {
    async POST({ db, workspace, body }) {
      const data = requireObjectBody(body());
      checkWorkspaceWritable(workspace);
      const v = new BodyValidator(data);

      let given: unknown[] | undefined;
      if (!v.has('messages')) v.fail('messages', ['This field is required.']);
      else {
        given = listOf(v, 'messages', v.body.messages, MAX_REFS);
        if (given && !given.length) given = v.fail('messages', ['This list may not be empty.']);
        if (given?.some((m) => typeof m !== 'string' && typeof m !== 'number')) given = v.fail('messages', ['Must be a string or integer']);
      }
      const action = v.choice('action', ACTIONS, { required: true }) as Action | undefined;

      let labelId: number | undefined;
      let labelMissing = false;
      const hasLabel = v.has('label');
      const hasLabelName = v.has('label_name');
      if (hasLabel) {
        const raw = v.body.label;
        if (raw === null || raw === '') v.fail('label', ['This field may not be null.']);
        else if (typeof raw !== 'string' && typeof raw !== 'number') v.fail('label', ['Must be a string or integer']);
        else {
          const ref = String(raw);
          const u = normalizeUuid(ref);
          const l = ref.includes('\0') ? undefined : await db.selectFrom('msg_labels').select('id').where('org_id', '=', workspace.id).where('is_active', '=', true)
            .where((eb) => eb.or([eb(sql`lower(name)`, '=', ref.toLowerCase()), ...(u ? [eb('uuid', '=', u)] : [])])).executeTakeFirst();
          if (!l) v.fail('label', [`No such object: ${ref}`]);
          else labelId = l.id;
        }
      }
      let labelName: string | undefined;
      if (hasLabelName) {
        const n = v.string('label_name', nameValidators(64));
        if (typeof n === 'string' && v.errors.label_name === undefined) {
          labelName = n;
          const l = await db.selectFrom('msg_labels').select('id').where('org_id', '=', workspace.id).where('is_active', '=', true)
            .where(sql`lower(name)`, '=', n.toLowerCase()).executeTakeFirst();
          if (l) labelId = l.id;
          else labelMissing = true;
        }
      }

      // resolve the messages (ids and uuids); those not found are failures
      const ids: number[] = [];
      const uuids: string[] = [];
      for (const m of given ?? []) {
        if (typeof m === 'number' && Number.isSafeInteger(m)) ids.push(m);
        else if (typeof m === 'string' && /^\d+$/.test(m.trim()) && Number.isSafeInteger(Number(m))) ids.push(Number(m));
        else if (typeof m === 'string' && normalizeUuid(m)) uuids.push(normalizeUuid(m)!);
      }
      const targets = v.valid || given ? await findActionTargets(db, workspace.id, ids, uuids) : [];
      const byId = new Map(targets.map((t) => [t.id, t]));
      const byUuid = new Map(targets.map((t) => [t.uuid, t]));
      const matched = (m: unknown) => {
        if (typeof m === 'number') return byId.get(m);
        const s = String(m).trim();
        if (/^\d+$/.test(s)) return byId.get(Number(s));
        const u = normalizeUuid(s);
        return u ? byUuid.get(u) : undefined;
      };
      if (given && v.errors.messages === undefined) {
        const outgoing = (given ?? []).find((m) => matched(m)?.direction === 'O');
        if (outgoing !== undefined) v.fail('messages', [`Not an incoming message: ${String(outgoing)}`]);
      }

      if (v.valid) {
        if (hasLabel && hasLabelName) v.nonField("Can't specify both label and label_name.");
        else if ((action === 'label' || action === 'unlabel') && !hasLabel && !hasLabelName) v.nonField(`For action "${action}" you should also specify a label`);
        else if (action !== 'label' && action !== 'unlabel' && (hasLabel || hasLabelName)) v.nonField(`For action "${action}" you should not specify a label`);
      }
      v.throwIfInvalid();

      const failures = (given ?? []).filter((m) => !matched(m));
      const found = [...new Set((given ?? []).map(matched).filter((t) => t !== undefined).map((t) => t!.id))];
      await db.transaction().execute(async (tx) => {
        switch (action) {
          case 'label':
            if (labelMissing) labelId = (await createLabel(tx as any, workspace.id, labelName!)).id;
            await labelMsgs(tx, workspace.id, found, labelId!);
            break;
          case 'unlabel':
            if (labelId !== undefined) await unlabelMsgs(tx, workspace.id, found, labelId);
            break;
          case 'archive':
            await setVisibility(tx, workspace.id, found, 'V', 'A');
            break;
          case 'restore':
            await setVisibility(tx, workspace.id, found, 'A', 'V');
            break;
          case 'delete':
            await deleteMsgs(tx, workspace.id, found);
            break;
        }
      });
      return failures.length ? { status: 200, body: { failures } } : { status: 204 };
    },
  },
};
