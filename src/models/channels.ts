import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { InvalidInputError } from './errors.ts';
import { workspaceLimit, type Workspace } from './workspaces.ts';

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
