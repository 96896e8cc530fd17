import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { InvalidInputError } from './errors.ts';
import { toWorkspace, workspaceLimit, type Workspace } from './workspaces.ts';

/** URN schemes a channel type serves, by RapidPro channel type code; phone-number types default to tel. */
const SCHEMES_BY_TYPE: Record<string, string[]> = {
  TG: ['telegram'],
  FBA: ['facebook'],
  IG: ['instagram'],
  WA: ['whatsapp'],
  WAC: ['whatsapp'],
  D3: ['whatsapp'],
  TWT: ['twitterid'],
  VP: ['viber'],
  LN: ['line'],
  DS: ['discord'],
  SL: ['slack'],
  WCH: ['webchat'],
  VK: ['vk'],
  WC: ['wechat'],
  JC: ['jiochat'],
  FC: ['freshchat'],
  RC: ['rocketchat'],
};

export interface NewChannel {
  type: string;
  name: string;
  address: string;
  country?: string;
  config?: Record<string, unknown>;
}

export async function createChannel(db: Kysely<DB>, ws: Workspace, input: NewChannel): Promise<{ uuid: string; type: string; schemes: string[] }> {
  const type = input.type.trim().toUpperCase();
  if (!/^[A-Z0-9]{1,16}$/.test(type)) throw new InvalidInputError(`invalid channel type "${input.type}"`);
  if (!input.name.trim()) throw new InvalidInputError('channel name is required');
  if (input.country && !/^[A-Z]{2}$/.test(input.country)) throw new InvalidInputError(`country must be a two-letter ISO code`);
  const active = await db
    .selectFrom('channels')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('org_id', '=', ws.id)
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  if (Number(active.n) >= workspaceLimit(ws, 'channels')) throw new InvalidInputError('workspace has reached its channel limit');
  const schemes = SCHEMES_BY_TYPE[type] ?? ['tel'];
  const row = await db
    .insertInto('channels')
    .values({
      uuid: randomUUID(),
      org_id: ws.id,
      channel_type: type,
      name: input.name.trim(),
      address: input.address.trim(),
      country: input.country ?? (schemes.includes('tel') ? ws.country : ''),
      config: JSON.stringify(input.config ?? {}),
      schemes,
    })
    .returning(['uuid'])
    .executeTakeFirstOrThrow();
  return { uuid: row.uuid, type, schemes };
}

/** Channel columns the receive path needs (ChannelRow in models/msgs.ts). */
const RECEIVE_CHANNEL_COLUMNS = ['c.id', 'c.uuid', 'c.org_id', 'c.name', 'c.channel_type', 'c.address', 'c.country', 'c.config', 'c.schemes', 'c.roles'] as const;

/**
 * A digest of everything findActiveChannelWithWorkspace reads (the channel's columns but last_seen,
 * all of the workspace's row), for callers that keep the pair and check it inside a later statement.
 */
export function channelFingerprint(channel: string, org: string) {
  return sql.raw(`md5(row(${channel}.uuid, ${channel}.org_id, ${channel}.name, ${channel}.channel_type, ${channel}.address, ${channel}.country, ${channel}.config, ${channel}.schemes, ${channel}.roles, ${org}.*)::text)`);
}

/**
 * An active channel by UUID with its active workspace, in one statement: every channel callback
 * needs both, and two keyed reads cost two round trips.
 */
export async function findActiveChannelWithWorkspace(db: Kysely<DB>, uuid: string) {
  const row = await db.selectFrom('channels as c').innerJoin('orgs as o', 'o.id', 'c.org_id')
    .select([
      ...RECEIVE_CHANNEL_COLUMNS, 'o.uuid as o_uuid', 'o.name as o_name', 'o.country as o_country', 'o.timezone as o_timezone', 'o.date_style as o_date_style',
      'o.languages as o_languages', 'o.is_anon as o_is_anon', 'o.is_flagged as o_is_flagged', 'o.is_suspended as o_is_suspended',
      'o.api_rates as o_api_rates', 'o.limits as o_limits', sql<string>`${channelFingerprint('c', 'o')}`.as('fingerprint'),
    ])
    .where('c.uuid', '=', uuid).where('c.is_active', '=', true).where('o.is_active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  const { o_uuid, o_name, o_country, o_timezone, o_date_style, o_languages, o_is_anon, o_is_flagged, o_is_suspended, o_api_rates, o_limits, fingerprint, ...channel } = row;
  const workspace = toWorkspace({
    id: channel.org_id, uuid: o_uuid, name: o_name, country: o_country, timezone: o_timezone, date_style: o_date_style, languages: o_languages,
    is_anon: o_is_anon, is_flagged: o_is_flagged, is_suspended: o_is_suspended, api_rates: o_api_rates, limits: o_limits,
  });
  return { channel, workspace, fingerprint };
}
