import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { datetimeParam, intParam, normalizeUuid, param } from '../params.ts';
import { formatDatetime } from '../datetimes.ts';

const EMPTY = { status: 200, body: { next: null, previous: null, results: [] } };

/** Channel events (calls, stops, new conversations, referrals, opt-ins...); deprecated and unlisted. */
export const channelEvents: Endpoint = {
  name: 'channel_events',
  listed: false,
  handlers: {
    async GET({ req, db, workspace }) {
      let q = db.selectFrom('channel_events as e')
        .innerJoin('channels as ch', 'ch.id', 'e.channel_id')
        .leftJoin('contacts as c', 'c.id', 'e.contact_id')
        .select(['e.id', 'e.event_type', 'e.extra', 'e.occurred_on', 'e.created_on', 'c.uuid as contact_uuid', 'c.name as contact_name',
          'ch.uuid as channel_uuid', 'ch.name as channel_name', 'e.created_on as _order', 'e.id as _id'])
        .where('e.org_id', '=', workspace.id);
      const id = intParam(req, 'id');
      if (id !== undefined) q = q.where('e.id', '=', id);
      const contact = param(req, 'contact');
      if (contact) {
        const u = normalizeUuid(contact);
        if (!u) return EMPTY;
        q = q.where('c.uuid', '=', u);
      }
      const before = datetimeParam(req, 'before');
      const after = datetimeParam(req, 'after');
      if (before.invalid || after.invalid) return EMPTY;
      if (before.value) q = q.where('e.created_on', '<=', before.value);
      if (after.value) q = q.where('e.created_on', '>=', after.value);
      const page = await paginate(req, q, { orderColumn: 'e.created_on', idColumn: 'e.id' });
      return {
        status: 200,
        body: {
          ...page,
          results: page.results.map((e) => ({
            id: e.id,
            type: e.event_type,
            contact: e.contact_uuid ? { uuid: e.contact_uuid, name: e.contact_name } : null,
            channel: { uuid: e.channel_uuid, name: e.channel_name },
            extra: e.extra ?? {},
            occurred_on: formatDatetime(e.occurred_on),
            created_on: formatDatetime(e.created_on),
          })),
        },
      };
    },
  },
};
