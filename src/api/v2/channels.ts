import type { Endpoint } from '../endpoint.ts';
import { paginate } from '../pagination.ts';
import { param, uuidParam } from '../params.ts';
import { formatDatetime } from '../datetimes.ts';

/** API type slugs of channel type codes (RapidPro's `slug`); other codes are shown lower-cased. */
const SLUGS: Record<string, string> = {
  A: 'android', EX: 'external', TG: 'telegram', T: 'twilio', NX: 'vonage', WAC: 'whatsapp', WA: 'whatsapp_legacy', FBA: 'facebook',
  IG: 'instagram', VP: 'viber', LN: 'line', SL: 'slack', TWT: 'twitter', D3: 'dialog360', VK: 'vk', WCH: 'webchat',
};

interface ChannelRead { uuid: string; name: string; address: string; channel_type: string; country: string; last_seen: string | null; created_on: string }

export function serializeChannel(c: ChannelRead) {
  return {
    uuid: c.uuid,
    name: c.name,
    address: c.address,
    type: SLUGS[c.channel_type] ?? c.channel_type.toLowerCase(),
    country: c.country || null,
    device: c.channel_type === 'A' ? { name: null, power_level: -1, power_status: null, power_source: null, network_type: null } : null,
    last_seen: formatDatetime(c.last_seen),
    created_on: formatDatetime(c.created_on),
  };
}

export const channels: Endpoint = {
  name: 'channels',
  handlers: {
    async GET({ req, db, workspace }) {
      let q = db.selectFrom('channels as ch')
        .select(['ch.uuid', 'ch.name', 'ch.address', 'ch.channel_type', 'ch.country', 'ch.last_seen', 'ch.created_on', 'ch.created_on as _order', 'ch.id as _id'])
        .where('ch.org_id', '=', workspace.id).where('ch.is_active', '=', true);
      const uuid = uuidParam(req, 'uuid');
      if (uuid) q = q.where('ch.uuid', '=', uuid);
      const address = param(req, 'address');
      if (address) q = address.includes('\0') ? q.where((eb) => eb.val(false)) : q.where('ch.address', '=', address);
      const page = await paginate(req, q, { orderColumn: 'ch.created_on', idColumn: 'ch.id' });
      return { status: 200, body: { ...page, results: page.results.map((c) => serializeChannel(c as ChannelRead)) } };
    },
  },
};
