import type { SessionAssets } from './assets.ts';
import { normalizeTime } from './core/time.ts';
import { parseURNString } from './core/urns.ts';

/** The session input (only messages exist today), in goflow's JSON shape. */
export interface MsgInput {
  type: 'msg'; uuid: string; created_on: string; channel?: { uuid: string; name: string };
  urn?: string; text: string; attachments?: string[]; external_id?: string; payload?: unknown;
}

/** Builds the input from a `msg_received` event carried by a msg trigger or resume. */
export function inputFromMsgEvent(event: Record<string, any>, assets: SessionAssets): MsgInput {
  const msg = (event.msg ?? {}) as Record<string, any>;
  const input: MsgInput = {
    type: 'msg', uuid: event.uuid ?? '', created_on: normalizeTime(event.created_on ?? '') ?? event.created_on, text: msg.text ?? '',
  };
  const channel = msg.channel?.uuid ? assets.channel(msg.channel.uuid) : undefined;
  if (channel) input.channel = { uuid: channel.uuid, name: channel.name };
  if (msg.urn) {
    const p = parseURNString(msg.urn);
    input.urn = p ? `${p.scheme}:${p.path}` : msg.urn;
  }
  if (msg.attachments?.length) input.attachments = msg.attachments;
  if (msg.external_id) input.external_id = msg.external_id;
  if (msg.payload !== undefined && msg.payload !== null) input.payload = msg.payload;
  return input;
}

/** Reads a stored input back (channel re-resolved against the assets). */
export function readInput(json: Record<string, any>, assets: SessionAssets): MsgInput {
  const input = { ...json } as MsgInput;
  if (json.channel?.uuid) {
    const channel = assets.channel(json.channel.uuid);
    if (channel) input.channel = { uuid: channel.uuid, name: channel.name };
    else delete input.channel;
  }
  return input;
}
