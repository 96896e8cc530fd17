import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { param } from '../params.ts';
import { limitReached, notFound } from '../errors.ts';
import { BodyValidator, requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable, writeLookup } from '../writes.ts';
import { workspaceLimit } from '../../models/workspaces.ts';
import { keyFromName, isValidKey } from '../../models/keys.ts';
import {
  FIELD_TYPES, LEGACY_VALUE_TYPES, RESERVED_FIELD_KEYS, userFieldsQuery, findFieldByKey, countUserFields,
  fieldNameTaken, createField, updateField, type FieldRow, type FieldType,
} from '../../models/fields.ts';

const legacyValueType = (t: FieldType) => (t === 'number' ? 'numeric' : t);

export function serializeField(f: FieldRow) {
  return {
    key: f.key,
    name: f.name,
    type: f.value_type,
    featured: f.show_in_table,
    priority: f.priority,
    // Dependency tracking (flows, smart groups, campaign events) arrives with those features.
    usages: { campaign_events: 0, flows: 0, groups: 0 },
    agent_access: f.agent_access,
    label: f.name,
    value_type: legacyValueType(f.value_type),
  };
}

const NAME_PATTERN = /^[A-Za-z0-9\- ]+$/;

export const fields: Endpoint = {
  name: 'fields',
  handlers: {
    async GET({ req, db, workspace }) {
      let q = userFieldsQuery(db, workspace.id).select(['f.created_on as _order', 'f.id as _id']);
      const key = param(req, 'key');
      if (key) q = q.where('f.key', '=', key);
      const page = await paginate(req, q, { orderColumn: 'f.created_on', idColumn: 'f.id' });
      return { status: 200, body: { ...page, results: page.results.map((r) => serializeField(r as FieldRow)) } };
    },

    async POST({ req, db, workspace, body }) {
      const lookup = writeLookup(req, ['key']);
      const existing = lookup ? await findFieldByKey(db, workspace.id, lookup.value) : undefined;
      if (lookup && !existing) throw notFound();
      if (!lookup && (await countUserFields(db, workspace.id)) >= workspaceLimit(workspace, 'fields')) throw limitReached();

      const data = requireObjectBody(body());
      checkWorkspaceWritable(workspace);
      const v = new BodyValidator(data);
      // Either spelling is accepted: name/label and type/value_type.
      const nameKey = v.has('name') || !v.has('label') ? 'name' : 'label';
      const name = v.string(nameKey, {
        maxLength: 36,
        validators: [(s) => (NAME_PATTERN.test(s) ? [] : ['Can only contain letters, numbers and hypens.'])],
      });
      if (typeof name === 'string' && v.errors[nameKey] === undefined) {
        const key = keyFromName(name);
        if (!existing && !isValidKey(key, RESERVED_FIELD_KEYS)) v.fail(nameKey, [`Generated key "${key}" is invalid or a reserved name.`]);
        else if (await fieldNameTaken(db, workspace.id, name, existing?.id)) v.fail(nameKey, ['This field must be unique.']);
      }
      let type: FieldType | undefined;
      if (v.has('type') || !v.has('value_type')) type = v.choice('type', FIELD_TYPES);
      else {
        const legacy = v.choice('value_type', LEGACY_VALUE_TYPES);
        type = legacy === 'numeric' ? 'number' : (legacy as FieldType | undefined);
      }
      if (v.valid) {
        if (name === undefined) v.nonField("Field 'name' is required.");
        else if (type === undefined) v.nonField("Field 'type' is required.");
      }
      v.throwIfInvalid();

      if (existing) {
        const updated = await updateField(db, workspace.id, existing.id, name as string, type!);
        return { status: 200, body: serializeField(updated) };
      }
      const created = await createField(db, workspace.id, keyFromName(name as string), name as string, type!);
      return { status: 201, body: serializeField(created) };
    },
  },
};
