import { sql, type Kysely } from 'kysely';

/**
 * Flows (definitions stored migrated to the current spec, one row per flow plus its revisions),
 * flow labels, and the sessions and runs the runtime persists between sprints.
 *
 * flow_type: message | voice | background | survey (the API's names).
 * Session status: W waiting, C completed, I interrupted, X expired, F failed.
 * Run status: A active, W waiting, C completed, I interrupted, X expired, F failed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE flows (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      name text NOT NULL,
      flow_type text NOT NULL CHECK (flow_type IN ('message','voice','background','survey')),
      spec_version text NOT NULL,
      revision integer NOT NULL DEFAULT 1,
      definition jsonb NOT NULL,
      expires_after_minutes integer NOT NULL DEFAULT 0,
      is_archived boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      created_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE UNIQUE INDEX flows_org_name ON flows (org_id, lower(name)) WHERE is_active;
    CREATE INDEX flows_org_created ON flows (org_id, created_on DESC, id DESC);

    CREATE TABLE flow_revisions (
      id bigserial PRIMARY KEY,
      flow_id bigint NOT NULL REFERENCES flows(id),
      revision integer NOT NULL,
      spec_version text NOT NULL,
      definition jsonb NOT NULL,
      created_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      UNIQUE (flow_id, revision)
    );

    CREATE TABLE flow_labels (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      name text NOT NULL,
      created_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE UNIQUE INDEX flow_labels_org_name ON flow_labels (org_id, lower(name));
    CREATE TABLE flows_labels (
      flow_id bigint NOT NULL REFERENCES flows(id),
      label_id bigint NOT NULL REFERENCES flow_labels(id),
      PRIMARY KEY (flow_id, label_id)
    );

    CREATE TABLE flow_sessions (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      contact_id bigint NOT NULL REFERENCES contacts(id),
      session_type text NOT NULL DEFAULT 'M',
      status text NOT NULL CHECK (status IN ('W','C','I','X','F')),
      current_flow_id bigint REFERENCES flows(id),
      output jsonb,
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      ended_on timestamptz,
      wait_started_on timestamptz,
      timeout_on timestamptz,
      wait_expires_on timestamptz
    );
    -- at most one waiting session per contact
    CREATE UNIQUE INDEX flow_sessions_contact_waiting ON flow_sessions (contact_id) WHERE status = 'W';
    CREATE INDEX flow_sessions_timeout ON flow_sessions (timeout_on) WHERE status = 'W' AND timeout_on IS NOT NULL;
    CREATE INDEX flow_sessions_expires ON flow_sessions (wait_expires_on) WHERE status = 'W';

    CREATE TABLE flow_runs (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      flow_id bigint NOT NULL REFERENCES flows(id),
      contact_id bigint NOT NULL REFERENCES contacts(id),
      session_id bigint REFERENCES flow_sessions(id),
      start_id bigint,
      status text NOT NULL CHECK (status IN ('A','W','C','I','X','F')),
      responded boolean NOT NULL DEFAULT false,
      results jsonb NOT NULL DEFAULT '{}',
      path jsonb NOT NULL DEFAULT '[]',
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      exited_on timestamptz
    );
    CREATE INDEX flow_runs_org_modified ON flow_runs (org_id, modified_on, id);
    CREATE INDEX flow_runs_flow_status ON flow_runs (flow_id, status);
    CREATE INDEX flow_runs_contact ON flow_runs (contact_id);

    ALTER TABLE contacts ADD CONSTRAINT contacts_current_flow_fk FOREIGN KEY (current_flow_id) REFERENCES flows(id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE contacts DROP CONSTRAINT contacts_current_flow_fk;
    DROP TABLE flow_runs, flow_sessions, flows_labels, flow_labels, flow_revisions, flows;
  `.execute(db);
}
