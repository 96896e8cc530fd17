import { sql, type Kysely } from 'kysely';

/**
 * Workspaces, users, memberships, API tokens, throttle buckets, and the simple workspace-owned
 * objects (fields, globals, groups, labels, topics). Every workspace-owned table carries org_id
 * and is indexed on it first: every query is scoped by workspace.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE orgs (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      name text NOT NULL,
      country text NOT NULL DEFAULT '',
      timezone text NOT NULL DEFAULT 'UTC',
      date_style text NOT NULL DEFAULT 'day_first' CHECK (date_style IN ('day_first','month_first','year_first')),
      languages text[] NOT NULL DEFAULT '{}',
      is_anon boolean NOT NULL DEFAULT false,
      is_flagged boolean NOT NULL DEFAULT false,
      is_suspended boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      api_rates jsonb NOT NULL DEFAULT '{}',
      limits jsonb NOT NULL DEFAULT '{}',
      created_on timestamptz NOT NULL DEFAULT now(),
      modified_on timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE users (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      email text NOT NULL,
      first_name text NOT NULL DEFAULT '',
      last_name text NOT NULL DEFAULT '',
      avatar text,
      is_active boolean NOT NULL DEFAULT true,
      date_joined timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

    CREATE TABLE teams (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      name text NOT NULL,
      is_system boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX teams_org ON teams (org_id);

    CREATE TABLE org_memberships (
      org_id bigint NOT NULL REFERENCES orgs(id),
      user_id bigint NOT NULL REFERENCES users(id),
      role text NOT NULL CHECK (role IN ('administrator','editor','agent','viewer')),
      team_id bigint REFERENCES teams(id),
      joined_on timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, user_id)
    );
    CREATE INDEX org_memberships_user ON org_memberships (user_id);

    CREATE TABLE api_tokens (
      id bigserial PRIMARY KEY,
      key_hash text NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      user_id bigint NOT NULL REFERENCES users(id),
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT now(),
      last_used_on timestamptz
    );
    CREATE INDEX api_tokens_org_user ON api_tokens (org_id, user_id);

    -- Sliding-window throttle state shared by every server process: hits per time bucket.
    CREATE TABLE api_throttle (
      org_id bigint NOT NULL,
      scope text NOT NULL,
      bucket bigint NOT NULL,
      hits integer NOT NULL,
      PRIMARY KEY (org_id, scope, bucket)
    );

    CREATE TABLE contact_fields (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      key text NOT NULL,
      name text NOT NULL,
      value_type text NOT NULL CHECK (value_type IN ('text','number','datetime','state','district','ward')),
      is_system boolean NOT NULL DEFAULT false,
      show_in_table boolean NOT NULL DEFAULT false,
      priority integer NOT NULL DEFAULT 0,
      agent_access text NOT NULL DEFAULT 'view' CHECK (agent_access IN ('none','view','edit')),
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT now(),
      modified_on timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX contact_fields_org_key ON contact_fields (org_id, key) WHERE is_active;
    CREATE UNIQUE INDEX contact_fields_org_name ON contact_fields (org_id, lower(name)) WHERE is_active;
    CREATE INDEX contact_fields_org_created ON contact_fields (org_id, created_on DESC, id DESC);

    CREATE TABLE globals (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      key text NOT NULL,
      name text NOT NULL,
      value text NOT NULL,
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT now(),
      modified_on timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX globals_org_key ON globals (org_id, key) WHERE is_active;
    CREATE UNIQUE INDEX globals_org_name ON globals (org_id, lower(name)) WHERE is_active;
    CREATE INDEX globals_org_modified ON globals (org_id, modified_on DESC, id DESC);

    -- group_type: M manual, Q query (smart), A/B/S/V status groups (active, blocked, stopped, archived).
    -- status: I initializing, E evaluating, R ready, V invalid.
    CREATE TABLE contact_groups (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      name text NOT NULL,
      group_type text NOT NULL CHECK (group_type IN ('M','Q','A','B','S','V')),
      query text,
      status text NOT NULL DEFAULT 'R' CHECK (status IN ('I','E','R','V')),
      is_system boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT now(),
      modified_on timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX contact_groups_org_name ON contact_groups (org_id, lower(name)) WHERE is_active;
    CREATE INDEX contact_groups_org_created ON contact_groups (org_id, created_on DESC, id DESC);

    -- Group membership; the contacts table (a later migration) adds the foreign key on contact_id.
    CREATE TABLE contact_groups_contacts (
      group_id bigint NOT NULL REFERENCES contact_groups(id),
      contact_id bigint NOT NULL,
      PRIMARY KEY (group_id, contact_id)
    );
    CREATE INDEX contact_groups_contacts_contact ON contact_groups_contacts (contact_id);

    CREATE TABLE msg_labels (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      name text NOT NULL,
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT now(),
      modified_on timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX msg_labels_org_name ON msg_labels (org_id, lower(name)) WHERE is_active;
    CREATE INDEX msg_labels_org_created ON msg_labels (org_id, created_on DESC, id DESC);

    -- Labelled messages; the msgs table (a later migration) adds the foreign key and the
    -- is_archived-aware count.
    CREATE TABLE msg_labels_msgs (
      label_id bigint NOT NULL REFERENCES msg_labels(id),
      msg_id bigint NOT NULL,
      PRIMARY KEY (label_id, msg_id)
    );

    CREATE TABLE topics (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      name text NOT NULL,
      is_system boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT now(),
      modified_on timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX topics_org_name ON topics (org_id, lower(name)) WHERE is_active;
    CREATE INDEX topics_org_created ON topics (org_id, created_on DESC, id DESC);

    -- Tickets; the tickets issue adds contacts, assignees and notes. Topic counts read status here.
    CREATE TABLE tickets (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      topic_id bigint NOT NULL REFERENCES topics(id),
      status text NOT NULL CHECK (status IN ('O','C')),
      opened_on timestamptz NOT NULL DEFAULT now(),
      modified_on timestamptz NOT NULL DEFAULT now(),
      closed_on timestamptz
    );
    CREATE INDEX tickets_topic_status ON tickets (topic_id, status);

    CREATE TABLE channels (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      channel_type text NOT NULL,
      name text NOT NULL,
      address text NOT NULL DEFAULT '',
      country text NOT NULL DEFAULT '',
      config jsonb NOT NULL DEFAULT '{}',
      schemes text[] NOT NULL DEFAULT '{}',
      roles text NOT NULL DEFAULT 'SR',
      is_active boolean NOT NULL DEFAULT true,
      created_on timestamptz NOT NULL DEFAULT now(),
      modified_on timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX channels_org_created ON channels (org_id, created_on DESC, id DESC);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE channels, tickets, topics, msg_labels_msgs, msg_labels, contact_groups_contacts,
    contact_groups, globals, contact_fields, api_throttle, api_tokens, org_memberships, teams, users, orgs`.execute(db);
}
