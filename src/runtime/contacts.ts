import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';

const STATUS: Record<string, string> = { A: 'active', B: 'blocked', S: 'stopped', V: 'archived' };

const iso = (ts: string | null) => (ts ? ts.replace(' ', 'T').replace(/\+00(:00)?$/, 'Z') : undefined);

/** A contact as the runtime needs it: the engine's JSON plus what writing its sprint needs. */
export interface RuntimeContact {
  json: Record<string, unknown>;
  /** URN identity (scheme:path) → contact_urns.id, for the messages the sprint sends. */
  urnIds: Map<string, number>;
  currentFlowId: number | null;
}

interface Row {
  id: number; uuid: string; name: string | null; language: string | null; status: string; created_on: string; last_seen_on: string | null;
  current_flow_id: number | null;
  urns: [number, string, string, string | null, string | null][] | null;
  fields: [string, string, string | null, string | null, string | null, string | null, string | null][] | null;
  groups: [string, string][] | null;
}

/**
 * Contacts in the engine's JSON form (uuid, id, name, language, status, dates, URNs in priority
 * order with channel affinity, groups, typed field values) in one statement for any number of
 * them: on the embedded database every statement is a turn of its single session.
 */
export async function loadRuntimeContacts(db: Kysely<DB>, orgId: number, ids: number[]): Promise<Map<number, RuntimeContact>> {
  const out = new Map<number, RuntimeContact>();
  if (!ids.length) return out;
  const rows = await sql<Row>`SELECT ${contactColumns(orgId)} FROM contacts c WHERE c.org_id = ${orgId} AND c.id = ANY(${ids.map(Number)}::bigint[])`.execute(db);
  for (const c of rows.rows) out.set(c.id, toRuntimeContact(c));
  return out;
}

/** What resuming a contact's waiting session reads before running the engine. */
export interface ResumeState {
  contact: RuntimeContact;
  /**
   * The waiting session, if any. `version` (when its wait began, as text to the microsecond) tells
   * this wait from any later one of the same session: writing the resumed session checks it.
   */
  waiting: { id: number; output: unknown; current_flow_id: number | null; version: string | null } | null;
  /** The workspace's asset version (runtime/assets.ts). */
  assetVersion: string | null;
}

/**
 * The contact, its waiting session and the workspace's asset version in one statement: a reply
 * needs all three before the engine runs. Null when the contact is gone.
 */
export async function loadResumeState(db: Kysely<DB>, orgId: number, contactId: number): Promise<ResumeState | null> {
  const r = await sql<ResumeRow>`
    SELECT ${resumeStateColumns(orgId)}
    FROM contacts c
    LEFT JOIN flow_sessions w ON w.contact_id = c.id AND w.org_id = ${orgId} AND w.status = 'W'
    WHERE c.org_id = ${orgId} AND c.id = ${contactId}`.execute(db);
  return r.rows[0] ? toResumeState(r.rows[0]) : null;
}

export type ResumeRow = Row & {
  asset_version: string | null; session_id: number | null; session_output: unknown; session_flow_id: number | null; session_version: string | null;
};

/** A URN that the same statement points at a channel: its snapshot still shows the old affinity. */
export interface NewAffinity { urnId: RawBuilder<unknown>; channelUuid: string }

/**
 * loadResumeState's columns, for a caller that reads the state in a statement of its own: the
 * contact is `c` (any row source with the contacts table's columns), its waiting session `w`
 * (LEFT JOIN flow_sessions w ON w.contact_id = c.id AND w.org_id = ... AND w.status = 'W').
 */
export function resumeStateColumns(orgId: number, affinity?: NewAffinity): RawBuilder<unknown> {
  return sql`${contactColumns(orgId, affinity)},
      (SELECT version::text FROM asset_versions WHERE org_id = ${orgId}) AS asset_version,
      w.id AS session_id, w.output AS session_output, w.current_flow_id AS session_flow_id, w.wait_started_on::text AS session_version`;
}

export function toResumeState(row: ResumeRow): ResumeState {
  return {
    contact: toRuntimeContact(row),
    waiting: row.session_id !== null
      ? { id: row.session_id, output: row.session_output, current_flow_id: row.session_flow_id, version: row.session_version }
      : null,
    assetVersion: row.asset_version,
  };
}

function contactColumns(orgId: number, affinity?: NewAffinity) {
  const channel = affinity ? sql`CASE WHEN u.id = ${affinity.urnId} THEN ${affinity.channelUuid}::uuid ELSE ch.uuid END` : sql`ch.uuid`;
  return sql`
    c.id, c.uuid, c.name, c.language, c.status, c.created_on, c.last_seen_on, c.current_flow_id,
      (SELECT json_agg(json_build_array(u.id, u.scheme, u.path, u.display, ${channel}) ORDER BY u.priority DESC, u.id)
         FROM contact_urns u LEFT JOIN channels ch ON ch.id = u.channel_id
        WHERE u.org_id = ${orgId} AND u.contact_id = c.id) AS urns,
      (SELECT json_agg(json_build_array(f.key, v.text_value, v.number_value::text, v.datetime_value::text, v.state_value, v.district_value, v.ward_value))
         FROM contact_field_values v JOIN contact_fields f ON f.id = v.field_id
        WHERE v.org_id = ${orgId} AND v.contact_id = c.id AND f.is_active) AS fields,
      (SELECT json_agg(json_build_array(g.uuid, g.name) ORDER BY g.id)
         FROM contact_groups_contacts gc JOIN contact_groups g ON g.id = gc.group_id
        WHERE gc.contact_id = c.id AND g.org_id = ${orgId} AND g.is_active AND g.group_type IN ('M', 'Q')) AS groups`;
}

function toRuntimeContact(c: Row): RuntimeContact {
  const urnIds = new Map<string, number>();
  const urns: string[] = [];
  for (const [id, scheme, path, display, channelUuid] of c.urns ?? []) {
    urnIds.set(`${scheme}:${path}`, id);
    const query = channelUuid ? `?channel=${channelUuid}` : '';
    urns.push(`${scheme}:${path}${query}${display ? `#${encodeURIComponent(display)}` : ''}`);
  }
  const fields: Record<string, unknown> = {};
  for (const [key, text, number, datetime, state, district, ward] of c.fields ?? []) {
    fields[key] = {
      text,
      ...(number !== null ? { number: Number(number) } : {}),
      ...(datetime ? { datetime: iso(datetime) } : {}),
      ...(state ? { state } : {}),
      ...(district ? { district } : {}),
      ...(ward ? { ward } : {}),
    };
  }
  const json = {
    uuid: c.uuid, id: c.id, ...(c.name ? { name: c.name } : {}), ...(c.language ? { language: c.language } : {}),
    status: STATUS[c.status] ?? 'active', created_on: iso(c.created_on), ...(c.last_seen_on ? { last_seen_on: iso(c.last_seen_on) } : {}),
    urns, groups: (c.groups ?? []).map(([uuid, name]) => ({ uuid, name })), fields,
  };
  return { json, urnIds, currentFlowId: c.current_flow_id };
}

/** Contacts in the engine's JSON form (see loadRuntimeContacts). */
export async function loadEngineContacts(db: Kysely<DB>, orgId: number, ids: number[]): Promise<Map<number, Record<string, unknown>>> {
  const out = new Map<number, Record<string, unknown>>();
  for (const [id, c] of await loadRuntimeContacts(db, orgId, ids)) out.set(id, c.json);
  return out;
}
