import { sql, type Kysely } from 'kysely';

/**
 * Campaigns and their events, as RapidPro models them (temba/campaigns/models.py), plus the flow
 * setting that keyword triggers check (flows.ignore_triggers).
 *
 * A campaign points a group at events. An event fires `offset` `unit`s (M minutes, H hours, D days,
 * W weeks) from a contact's datetime field `relative_to` (a user field, or the system created_on /
 * last_seen_on), at `delivery_hour` (0-23, or -1 for the field's own time); event_type F starts
 * `flow_id`, M sends `translations` ({lang: {text, attachments?, quick_replies?}}) with
 * `base_language`. start_mode: I interrupt a waiting session, S skip contacts in one, P passive
 * (start without interrupting). What the scheduler will need: status S means the event's fires
 * must be (re)computed, R ready; fire_version goes up whenever offset, unit, delivery_hour,
 * relative_to or the campaign's group change, so fires computed for an older version are stale.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE campaigns (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      name text NOT NULL,
      group_id bigint NOT NULL REFERENCES contact_groups(id),
      is_archived boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      created_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE UNIQUE INDEX campaigns_org_name ON campaigns (org_id, lower(name)) WHERE is_active;
    CREATE INDEX campaigns_group ON campaigns (group_id) WHERE is_active;

    CREATE TABLE campaign_events (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      campaign_id bigint NOT NULL REFERENCES campaigns(id),
      event_type text NOT NULL CHECK (event_type IN ('F','M')),
      status text NOT NULL DEFAULT 'S' CHECK (status IN ('S','R')),
      fire_version integer NOT NULL DEFAULT 1,
      relative_to_id bigint NOT NULL REFERENCES contact_fields(id),
      "offset" integer NOT NULL DEFAULT 0,
      unit text NOT NULL DEFAULT 'D' CHECK (unit IN ('M','H','D','W')),
      delivery_hour integer NOT NULL DEFAULT -1 CHECK (delivery_hour BETWEEN -1 AND 23),
      flow_id bigint REFERENCES flows(id),
      translations jsonb,
      base_language text,
      start_mode text NOT NULL DEFAULT 'I' CHECK (start_mode IN ('I','S','P')),
      is_active boolean NOT NULL DEFAULT true,
      created_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      CHECK ((event_type = 'F' AND flow_id IS NOT NULL) OR (event_type = 'M' AND translations IS NOT NULL AND base_language IS NOT NULL))
    );
    CREATE INDEX campaign_events_campaign ON campaign_events (campaign_id) WHERE is_active;
    CREATE INDEX campaign_events_flow ON campaign_events (flow_id) WHERE is_active;
    -- a field value change re-schedules the events relative to that field
    CREATE INDEX campaign_events_relative_to ON campaign_events (relative_to_id) WHERE is_active;
    CREATE INDEX campaign_events_scheduling ON campaign_events (org_id) WHERE is_active AND status = 'S';

    -- RapidPro: "Ignore keyword triggers while in this flow" (a flow setting, not part of the definition)
    ALTER TABLE flows ADD COLUMN ignore_triggers boolean NOT NULL DEFAULT false;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE flows DROP COLUMN ignore_triggers;
    DROP TABLE campaign_events, campaigns;
  `.execute(db);
}
