import type { Ref, SessionAssets } from '../assets.ts';
import { normalizeTime } from './time.ts';
import { channelForURN, encodeURN, readURN, type URN } from './urns.ts';

export type ContactStatus = 'active' | 'blocked' | 'stopped' | 'archived';
export const CONTACT_STATUSES: ContactStatus[] = ['active', 'blocked', 'stopped', 'archived'];

/** A field value in all the representations goflow keeps (JSON shape). */
export interface FieldValue {
  text: string; number?: number | string; datetime?: string; state?: string; district?: string; ward?: string;
}

export interface Ticket { uuid: string; status: 'open' | 'closed'; topic?: Ref | null; assignee?: { email?: string; name: string; uuid?: string } | null }

/** The contact a session runs for; mutated in place by modifiers, serialised in goflow's shape. */
export class Contact {
  /** Bumped by every modifier application, so derived views (merged environment) know when to refresh. */
  revision = 0;

  constructor(
    public uuid: string,
    public id: number | undefined,
    public name: string,
    public language: string,
    public status: ContactStatus,
    public timezone: string,
    public createdOn: string,
    public lastSeenOn: string | undefined,
    public urns: URN[],
    public groups: Ref[],
    public fields: Record<string, FieldValue>,
    public tickets: Ticket[],
    readonly assets: SessionAssets,
  ) {}

  static read(json: unknown, assets: SessionAssets): Contact {
    const j = json as Record<string, any>;
    const groups = ((j.groups ?? []) as Ref[]).map((g) => {
      const asset = assets.group(g.uuid);
      return asset ? { uuid: asset.uuid, name: asset.name } : { uuid: g.uuid, name: g.name };
    });
    const fields: Record<string, FieldValue> = {};
    for (const [k, v] of Object.entries((j.fields ?? {}) as Record<string, FieldValue | null>)) {
      if (v) fields[k] = v;
    }
    return new Contact(
      String(j.uuid), j.id, j.name ?? '', j.language ?? '', j.status ?? 'active', j.timezone ?? '',
      normalizeTime(j.created_on ?? '') ?? j.created_on, j.last_seen_on ? normalizeTime(j.last_seen_on) ?? j.last_seen_on : undefined,
      ((j.urns ?? []) as string[]).map((u) => readURN(u, assets)),
      groups, fields, ((j.tickets ?? []) as Ticket[]).map((t) => ({ ...t })), assets,
    );
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { uuid: this.uuid };
    if (this.id) out.id = this.id;
    if (this.name) out.name = this.name;
    if (this.language) out.language = this.language;
    out.status = this.status;
    if (this.timezone) out.timezone = this.timezone;
    out.created_on = this.createdOn;
    if (this.lastSeenOn) out.last_seen_on = this.lastSeenOn;
    if (this.urns.length) out.urns = this.urns.map((u) => encodeURN(u));
    if (this.groups.length) out.groups = this.groups.map((g) => ({ uuid: g.uuid, name: g.name }));
    // copies, so snapshots (run summaries in events) don't change with the contact
    if (Object.keys(this.fields).length) out.fields = structuredClone(this.fields);
    if (this.tickets.length) out.tickets = structuredClone(this.tickets);
    return out;
  }

  clone(): Contact {
    return Contact.read(JSON.parse(JSON.stringify(this.toJSON())), this.assets);
  }

  /** First URN with a channel able to send to it, with that channel. */
  route(): { urn: URN; channel: NonNullable<ReturnType<typeof channelForURN>> } | null {
    for (const urn of this.urns) {
      const channel = channelForURN(urn, this.assets);
      if (channel) return { urn, channel };
    }
    return null;
  }

  inGroup(uuid: string): boolean { return this.groups.some((g) => g.uuid === uuid); }

  lastOpenTicket(): Ticket | undefined {
    return [...this.tickets].reverse().find((t) => t.status === 'open');
  }
}
