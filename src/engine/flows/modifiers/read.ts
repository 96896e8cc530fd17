import type { SessionAssets } from '../assets.ts';
import { CONTACT_STATUSES, type ContactStatus } from '../core/contact.ts';
import { normalizeTime } from '../core/time.ts';
import type { Modifier } from './apply.ts';
import { affinityModifier } from './affinity.ts';
import { channelModifier } from './channel.ts';
import { fieldModifier } from './field.ts';
import { groupsModifier } from './groups.ts';
import { languageModifier } from './language.ts';
import { nameModifier } from './name.ts';
import { routesModifier, type RoutesModification } from './routes.ts';
import { seenModifier } from './seen.ts';
import { statusModifier } from './status.ts';
import { ticketAssigneeModifier } from './ticket_assignee.ts';
import { ticketCloseModifier } from './ticket_close.ts';
import { ticketNoteModifier } from './ticket_note.ts';
import { ticketOpenModifier } from './ticket_open.ts';
import { ticketReopenModifier } from './ticket_reopen.ts';
import { ticketTopicModifier } from './ticket_topic.ts';
import { timezoneModifier } from './timezone.ts';
import { urnsModifier } from './urns.ts';

type Ref = { uuid: string; name: string };
type Reader = (m: Record<string, any>, assets: SessionAssets, newUUID: () => string) => Modifier;

const ref = (r: Ref | null | undefined): Ref | null => (r ? { uuid: r.uuid, name: r.name } : null);

function groupAssets(assets: SessionAssets, refs: Ref[]) {
  return (refs ?? []).map((r) => assets.group(r.uuid) ?? { uuid: r.uuid, name: r.name });
}

const readers: Record<string, Reader> = {
  affinity: (m, a) => affinityModifier(m.urn, m.channel ? a.channel(m.channel.uuid) : undefined),
  channel: (m, a) => channelModifier(m.channel ? a.channel(m.channel.uuid) ?? null : null),
  field: (m, a) => fieldModifier(a.field(m.field.key) ?? { key: m.field.key, name: m.field.name, type: 'text' }, m.value ?? ''),
  groups: (m, a) => groupsModifier(groupAssets(a, m.groups), m.modification === 'remove' ? 'remove' : 'add'),
  language: (m) => languageModifier(m.language ?? ''),
  name: (m) => nameModifier(m.name ?? ''),
  routes: (m, a) => routesModifier(
    (m.routes ?? []).map((r: { urn: string; channel?: Ref }) => ({ urn: r.urn, channel: r.channel ? a.channel(r.channel.uuid) : undefined })),
    m.modification as RoutesModification,
  ),
  seen: (m) => seenModifier(normalizeTime(m.seen_on) ?? m.seen_on),
  status: (m) => {
    if (!CONTACT_STATUSES.includes(m.status)) throw new Error(`field 'status' is not a valid contact status`);
    return statusModifier(m.status as ContactStatus);
  },
  ticket_assignee: (m) => ticketAssigneeModifier(m.ticket_uuid, ref(m.assignee)),
  ticket_close: (m) => ticketCloseModifier(m.ticket_uuid),
  ticket_note: (m) => ticketNoteModifier(m.ticket_uuid, m.note ?? ''),
  ticket_open: (m, _a, newUUID) => ticketOpenModifier(newUUID, ref(m.topic), ref(m.assignee), m.note ?? ''),
  ticket_reopen: (m) => ticketReopenModifier(m.ticket_uuid),
  ticket_topic: (m) => ticketTopicModifier(m.ticket_uuid, ref(m.topic)),
  timezone: (m) => timezoneModifier(m.timezone ?? ''),
  urns: (m) => urnsModifier(m.urns ?? [], m.modification as RoutesModification),
};

export const MODIFIER_TYPES = Object.keys(readers);

/** Reads a contact modifier from goflow's JSON shape (as hosts send them for contact updates). */
export function readModifier(json: unknown, assets: SessionAssets, newUUID: () => string): Modifier {
  const m = json as Record<string, any>;
  const reader = readers[m?.type];
  if (!reader) throw new Error(`unknown type: '${m?.type}'`);
  return reader(m, assets, newUUID);
}
