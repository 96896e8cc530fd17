import { sql, type Kysely } from 'kysely';

/**
 * Flow starts: a request to start a flow for groups, contacts and URNs, worked through by
 * batched jobs. status: P pending, Q queued, S started, C completed, F failed, I interrupted.
 * start_type: A api, M manual, Z zapier, F flow action, T trigger.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE flow_starts (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      flow_id bigint NOT NULL REFERENCES flows(id),
      start_type text NOT NULL DEFAULT 'A' CHECK (start_type IN ('A','M','Z','F','T')),
      status text NOT NULL DEFAULT 'P' CHECK (status IN ('P','Q','S','C','F','I')),
      params jsonb,
      restart_participants boolean NOT NULL DEFAULT true,
      exclude_active boolean NOT NULL DEFAULT false,
      contact_count integer,
      created_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX flow_starts_org_modified ON flow_starts (org_id, modified_on, id);
    CREATE TABLE flow_start_groups (
      start_id bigint NOT NULL REFERENCES flow_starts(id),
      group_id bigint NOT NULL REFERENCES contact_groups(id),
      PRIMARY KEY (start_id, group_id)
    );
    CREATE TABLE flow_start_contacts (
      start_id bigint NOT NULL REFERENCES flow_starts(id),
      contact_id bigint NOT NULL REFERENCES contacts(id),
      PRIMARY KEY (start_id, contact_id)
    );
    ALTER TABLE flow_runs ADD CONSTRAINT flow_runs_start_fk FOREIGN KEY (start_id) REFERENCES flow_starts(id);
    CREATE INDEX flow_runs_start ON flow_runs (start_id) WHERE start_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX flow_runs_start;
    ALTER TABLE flow_runs DROP CONSTRAINT flow_runs_start_fk;
    DROP TABLE flow_start_contacts, flow_start_groups, flow_starts;
  `.execute(db);
}
