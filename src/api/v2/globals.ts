import { sql } from 'kysely';
import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { boolParam, datetimeParam, param, paramAll } from '../params.ts';
import { limitReached, notFound, validationError } from '../errors.ts';
import { formatDatetime } from '../datetimes.ts';
import { BodyValidator, requireObjectBody } from '../validation.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { workspaceLimit } from '../../models/workspaces.ts';
import { keyFromName, isValidKey } from '../../models/keys.ts';
import {
  MAX_GLOBAL_NAME_LENGTH, MAX_GLOBAL_VALUE_LENGTH, isValidGlobalName, globalsQuery, findGlobalByKey, countGlobals,
  globalNameTaken, createOrUpdateGlobal, updateGlobalValue, type GlobalRow,
} from '../../models/globals.ts';

export function serializeGlobal(g: GlobalRow) {
  return { key: g.key, name: g.name, value: g.value, modified_on: formatDatetime(g.modified_on) };
}

/** PostgreSQL's unique_violation: a concurrent write took the same name first. */
const isUniqueViolation = (err: unknown) => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

export const globals: Endpoint = {
  name: 'globals',
  handlers: {
    async GET({ req, db, workspace }) {
      let q = globalsQuery(db, workspace.id).select(['g.modified_on as _order', 'g.id as _id']);
      const key = param(req, 'key');
      if (key) q = q.where('g.key', '=', key);
      // An unparseable before/after is not an error: the list is simply empty.
      const before = datetimeParam(req, 'before');
      const after = datetimeParam(req, 'after');
      if (before.invalid || after.invalid) q = q.where(sql<boolean>`false`);
      if (before.value) q = q.where('g.modified_on', '<=', before.value);
      if (after.value) q = q.where('g.modified_on', '>=', after.value);
      const page = await paginate(req, q, { orderColumn: 'g.modified_on', idColumn: 'g.id', ascending: boolParam(req, 'reverse') });
      return { status: 200, body: { ...page, results: page.results.map((r) => serializeGlobal(r as GlobalRow)) } };
    },

    async POST({ req, db, workspace, body }) {
      // As upstream, `?key` counts as a lookup as soon as it is in the URL (an empty key is a 404).
      const keys = paramAll(req, 'key');
      const existing = keys.length ? await findGlobalByKey(db, workspace.id, keys[keys.length - 1]) : undefined;
      if (keys.length && !existing) throw notFound();
      if (!existing && (await countGlobals(db, workspace.id)) >= workspaceLimit(workspace, 'globals')) throw limitReached();

      const data = requireObjectBody(body());
      checkWorkspaceWritable(workspace);
      const v = new BodyValidator(data);
      const value = v.string('value', { required: true, maxLength: MAX_GLOBAL_VALUE_LENGTH });
      // The name is validated on updates too, but only a create uses it.
      const name = v.string('name', { maxLength: MAX_GLOBAL_NAME_LENGTH });
      if (typeof name === 'string') {
        if (await globalNameTaken(db, workspace.id, name, existing?.id)) v.fail('name', ['This field must be unique.']);
        else if (!isValidGlobalName(name)) v.fail('name', ['Name contains illegal characters.']);
        else if (!isValidKey(keyFromName(name))) v.fail('name', ['Name creates Key that is invalid']);
      }
      if (v.valid && !existing && !name) v.nonField('Name is required when creating new global.');
      v.throwIfInvalid();

      if (existing) {
        return { status: 200, body: serializeGlobal(await updateGlobalValue(db, workspace.id, existing.id, value as string)) };
      }
      try {
        // A name whose key is already taken sets that global's value (RapidPro's get_or_create), still a 201.
        const created = await createOrUpdateGlobal(db, workspace.id, keyFromName(name as string), name as string, value as string);
        return { status: 201, body: serializeGlobal(created) };
      } catch (err) {
        if (isUniqueViolation(err)) throw validationError({ name: ['This field must be unique.'] });
        throw err;
      }
    },
  },
};
