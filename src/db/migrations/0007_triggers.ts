import { sql, type Kysely } from 'kysely';

/**
 * Triggers (engine.md §5.5): what starts a flow from an incoming message with no waiting session
 * or a keyword. trigger_type: K keyword, C catch all, M missed call, N new conversation,
 * R referral, V inbound call, T closed ticket, O opt-in, P opt-out, S schedule (the types other
 * than K and C are stored for import/export). match_type: F first word, O only word.
 * Included and excluded groups are kept as id arrays.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE triggers (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      trigger_type text NOT NULL CHECK (trigger_type IN ('K','C','M','N','R','V','T','O','P','S')),
      flow_id bigint NOT NULL REFERENCES flows(id),
      keywords text[] NOT NULL DEFAULT '{}',
      match_type text CHECK (match_type IN ('F','O')),
      channel_id bigint REFERENCES channels(id),
      referrer_id text,
      group_ids bigint[] NOT NULL DEFAULT '{}',
      exclude_group_ids bigint[] NOT NULL DEFAULT '{}',
      is_archived boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX triggers_org_type ON triggers (org_id, trigger_type) WHERE is_active AND NOT is_archived;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE triggers`.execute(db);
}
