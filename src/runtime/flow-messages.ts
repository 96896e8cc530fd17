// The messaging sink's flow messages (MessageSink.queueFlowMessages and its batch form): the
// `msg_created` events of contacts' sprints become outgoing messages on the URN and channel the
// engine chose (unsendable ones failed), in one insert per flow
// and one send-job enqueue, with URN, channel and flow ids taken from what the runtime already
// loaded instead of three lookups per contact.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from '../models/workspaces.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { insertOutgoing, type CreatedMsg, type NewOutgoing } from '../models/msgs.ts';
import { queueSendJobs } from './sender.ts';
import type { AssetIds, FlowMessages } from './events.ts';

const identityOf = (urn: unknown) => String(urn ?? '').split(/[?#]/)[0];

type Created = { item: FlowMessages; msg: any }[];

const createdMessages = (items: FlowMessages[]): Created =>
  items.flatMap((item) => item.events.filter((e) => e.type === 'msg_created' && e.msg).map((e) => ({ item, msg: e.msg })));

/** The ids the messages need that the runtime already knows, and the URNs, channels and flows it does not. */
function knownIds(items: FlowMessages[], created: Created, ids: AssetIds) {
  const urnIds = new Map<string, number>();
  const unknownUrns = new Set<string>();
  for (const { item, msg } of created) {
    const identity = identityOf(msg.urn);
    if (!identity) continue;
    const id = item.urnIds?.get(identity);
    if (id !== undefined) urnIds.set(identity, id);
    else unknownUrns.add(identity);
  }
  const unknownChannels = [...new Set(created.map(({ msg }) => msg.channel?.uuid as string | undefined).filter((u): u is string => !!u && !ids.channelIds.has(u)))];
  const unknownFlows = [...new Set(items.map((i) => i.flowUuid).filter((u): u is string => !!u && !ids.flowIds.has(u)))];
  return { urnIds, unknownUrns: [...unknownUrns], unknownChannels, unknownFlows };
}

export async function queueFlowMessagesBatch(jobs: JobQueue | undefined, tx: Kysely<DB>, ws: Workspace, items: FlowMessages[], ids: AssetIds): Promise<void> {
  const created = createdMessages(items);
  if (!created.length) return;

  // URNs the contacts did not have when loaded (added by the sprint, or not loaded) are looked up
  const { urnIds, unknownUrns, unknownChannels, unknownFlows } = knownIds(items, created, ids);
  const [urns, channels, flows] = await Promise.all([
    unknownUrns.length ? tx.selectFrom('contact_urns').select(['id', 'identity']).where('org_id', '=', ws.id).where('identity', 'in', unknownUrns).execute() : [],
    unknownChannels.length ? tx.selectFrom('channels').select(['id', 'uuid']).where('org_id', '=', ws.id).where('uuid', 'in', unknownChannels).where('is_active', '=', true).execute() : [],
    unknownFlows.length ? tx.selectFrom('flows').select(['id', 'uuid']).where('org_id', '=', ws.id).where('uuid', 'in', unknownFlows).execute() : [],
  ]);
  for (const u of urns) urnIds.set(u.identity, u.id);
  const channelIds = new Map(ids.channelIds);
  for (const c of channels) channelIds.set(c.uuid, c.id);
  const flowIds = new Map(ids.flowIds);
  for (const f of flows) flowIds.set(f.uuid, f.id);

  const inserted: CreatedMsg[] = [];
  for (const [flowId, msgs] of outgoingByFlow(ws, created, urnIds, channelIds, flowIds)) {
    inserted.push(...(await insertOutgoing(tx, ws.id, msgs, { flowId, highPriority: true })));
  }
  // a contact in a flow waits for these: their send jobs go before bulk ones (send-priority.ts)
  await queueSendJobs(jobs, tx, ws.id, inserted, undefined, { priority: true });
}

/**
 * The outgoing rows of the sprints' messages, by flow, when every URN, channel and flow they name
 * is one the runtime already knows the id of (what queueFlowMessagesBatch would write, without its
 * lookups); null when one is not, or there is no message.
 */
export function knownFlowMessages(ws: Workspace, items: FlowMessages[], ids: AssetIds): Map<number | null, NewOutgoing[]> | null {
  const created = createdMessages(items);
  if (!created.length) return null;
  const { urnIds, unknownUrns, unknownChannels, unknownFlows } = knownIds(items, created, ids);
  if (unknownUrns.length || unknownChannels.length || unknownFlows.length) return null;
  return outgoingByFlow(ws, created, urnIds, ids.channelIds, ids.flowIds);
}

function outgoingByFlow(
  ws: Workspace, created: Created, urnIds: Map<string, number>, channelIds: Map<string, number>, flowIds: Map<string, number>,
): Map<number | null, NewOutgoing[]> {
  const byFlow = new Map<number | null, NewOutgoing[]>();
  for (const { item, msg: m } of created) {
    const uId = urnIds.get(identityOf(m.urn)) ?? null;
    const chId = m.channel?.uuid ? channelIds.get(m.channel.uuid) ?? null : null;
    const sendable = !m.unsendable_reason && uId !== null && chId !== null && !ws.isSuspended;
    const flowId = item.flowUuid ? flowIds.get(item.flowUuid) ?? null : null;
    const list = byFlow.get(flowId) ?? [];
    list.push({
      uuid: m.uuid, contactId: item.contactId, urnId: uId, channelId: sendable ? chId : null, text: m.text ?? '', attachments: m.attachments ?? [],
      quickReplies: (m.quick_replies ?? []).map((q: any) => (typeof q === 'string' ? { type: 'text', text: q } : q)),
      status: sendable ? 'Q' : 'F',
      failedReason: sendable ? null : ws.isSuspended ? 'S' : m.unsendable_reason === 'contact_blocked' || m.unsendable_reason === 'contact_stopped' || m.unsendable_reason === 'contact_archived' ? 'C' : 'D',
    });
    byFlow.set(flowId, list);
  }
  return byFlow;
}
