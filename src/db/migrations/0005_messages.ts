import { sql, type Kysely } from 'kysely';

/**
 * Messaging: broadcasts (+ their recipients), messages, channel events, and the label foreign key.
 *
 * msgs codes (RapidPro's):
 * - direction: I incoming, O outgoing
 * - status: P pending, H handled (incoming); I initializing, Q queued, W wired, S sent, D delivered,
 *   R read, E errored (retried at next_attempt), F failed (outgoing)
 * - visibility: V visible, A archived, D deleted by user, X deleted by sender
 * - msg_type: T text, O optin, V voice
 * - failed_reason: C contact not active, D no destination, S workspace suspended, L looping,
 *   E error limit, O too old, R channel removed
 *
 * The messages endpoint lists by (created_on, id) newest first within a workspace, or by (sent_on, id)
 * for the sent folder: each folder has a partial index on exactly its predicate, so the first page
 * of any folder is an index range scan whatever the size of the table.
 *
 * broadcasts.status: P pending, Q queued, S started, C completed, F failed, I interrupted.
 * Expansion is idempotent: a (broadcast, contact) pair has at most one message (unique index), and
 * each batch records itself in broadcast_batches so progress counts it once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE broadcasts (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      status text NOT NULL DEFAULT 'P' CHECK (status IN ('P','Q','S','C','F','I')),
      translations jsonb NOT NULL,
      base_language text NOT NULL,
      urns text[] NOT NULL DEFAULT '{}',
      contact_count integer NOT NULL DEFAULT -1,
      msg_count integer NOT NULL DEFAULT 0,
      batch_count integer NOT NULL DEFAULT 0,
      batches_done integer NOT NULL DEFAULT 0,
      is_scheduled boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      created_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX broadcasts_org_created ON broadcasts (org_id, created_on DESC, id DESC) WHERE is_active AND NOT is_scheduled;

    CREATE TABLE broadcasts_contacts (
      broadcast_id bigint NOT NULL REFERENCES broadcasts(id),
      contact_id bigint NOT NULL REFERENCES contacts(id),
      PRIMARY KEY (broadcast_id, contact_id)
    );
    CREATE TABLE broadcasts_groups (
      broadcast_id bigint NOT NULL REFERENCES broadcasts(id),
      group_id bigint NOT NULL REFERENCES contact_groups(id),
      PRIMARY KEY (broadcast_id, group_id)
    );
    CREATE TABLE broadcast_batches (
      broadcast_id bigint NOT NULL REFERENCES broadcasts(id),
      batch_no integer NOT NULL,
      PRIMARY KEY (broadcast_id, batch_no)
    );

    CREATE TABLE msgs (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      contact_id bigint NOT NULL REFERENCES contacts(id),
      contact_urn_id bigint REFERENCES contact_urns(id),
      channel_id bigint REFERENCES channels(id),
      broadcast_id bigint REFERENCES broadcasts(id),
      flow_id bigint REFERENCES flows(id),
      direction text NOT NULL CHECK (direction IN ('I','O')),
      status text NOT NULL CHECK (status IN ('P','H','I','Q','W','S','D','R','E','F')),
      visibility text NOT NULL DEFAULT 'V' CHECK (visibility IN ('V','A','D','X')),
      msg_type text NOT NULL DEFAULT 'T' CHECK (msg_type IN ('T','O','V')),
      text text NOT NULL DEFAULT '',
      attachments text[] NOT NULL DEFAULT '{}',
      quick_replies jsonb NOT NULL DEFAULT '[]',
      external_id text,
      high_priority boolean NOT NULL DEFAULT false,
      error_count integer NOT NULL DEFAULT 0,
      next_attempt timestamptz,
      failed_reason text CHECK (failed_reason IN ('C','D','S','L','E','O','R')),
      created_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      sent_on timestamptz,
      -- the send job that took the message (committed before the provider call): a message is sent
      -- by one job at a time; a retry of the same job (after a crash) takes its messages back
      claimed_by text,
      claimed_on timestamptz
    );
    -- no folder / other filters: every visible or archived message that is not pending
    CREATE INDEX msgs_org_created ON msgs (org_id, created_on DESC, id DESC) WHERE visibility IN ('V','A') AND status <> 'P';
    CREATE INDEX msgs_inbox ON msgs (org_id, created_on DESC, id DESC) WHERE direction = 'I' AND visibility = 'V' AND status = 'H' AND flow_id IS NULL;
    CREATE INDEX msgs_flows ON msgs (org_id, created_on DESC, id DESC) WHERE direction = 'I' AND visibility = 'V' AND status = 'H' AND flow_id IS NOT NULL;
    CREATE INDEX msgs_archived ON msgs (org_id, created_on DESC, id DESC) WHERE direction = 'I' AND visibility = 'A' AND status = 'H';
    CREATE INDEX msgs_outbox ON msgs (org_id, created_on DESC, id DESC) WHERE direction = 'O' AND visibility = 'V' AND status IN ('I','Q','E');
    CREATE INDEX msgs_sent ON msgs (org_id, sent_on DESC, id DESC) WHERE direction = 'O' AND visibility = 'V' AND status IN ('W','S','D','R');
    CREATE INDEX msgs_failed ON msgs (org_id, created_on DESC, id DESC) WHERE direction = 'O' AND visibility = 'V' AND status = 'F';
    CREATE INDEX msgs_contact ON msgs (contact_id, created_on DESC, id DESC);
    CREATE UNIQUE INDEX msgs_broadcast_contact ON msgs (broadcast_id, contact_id) WHERE broadcast_id IS NOT NULL;
    CREATE INDEX msgs_channel_external ON msgs (channel_id, external_id) WHERE external_id IS NOT NULL;
    CREATE INDEX msgs_retry ON msgs (next_attempt) WHERE status IN ('I','E');

    ALTER TABLE msg_labels_msgs
      ADD CONSTRAINT msg_labels_msgs_msg_fk FOREIGN KEY (msg_id) REFERENCES msgs(id);
    CREATE INDEX msg_labels_msgs_msg ON msg_labels_msgs (msg_id);

    CREATE TABLE channel_events (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      channel_id bigint NOT NULL REFERENCES channels(id),
      contact_id bigint REFERENCES contacts(id),
      contact_urn_id bigint REFERENCES contact_urns(id),
      event_type text NOT NULL,
      extra jsonb NOT NULL DEFAULT '{}',
      occurred_on timestamptz NOT NULL,
      created_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX channel_events_org_created ON channel_events (org_id, created_on DESC, id DESC);
    CREATE INDEX channel_events_contact ON channel_events (contact_id);

    ALTER TABLE channels ADD COLUMN last_seen timestamptz;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE channels DROP COLUMN last_seen;
    ALTER TABLE msg_labels_msgs DROP CONSTRAINT msg_labels_msgs_msg_fk;
    DROP INDEX msg_labels_msgs_msg;
    DROP TABLE channel_events, msgs, broadcast_batches, broadcasts_groups, broadcasts_contacts, broadcasts;
  `.execute(db);
}
