import { sql, type Kysely } from 'kysely';

/**
 * Contacts, their URNs, typed field values and notes.
 *
 * - contacts: one row per contact; `status` A active, B blocked, S stopped, V archived; soft delete
 *   with `is_active = false` (deleted contacts stay listable under `deleted=true`). Listing is keyset
 *   paginated on (modified_on, id) inside a workspace, so that index leads with org_id, is_active.
 * - contact_urns: a URN belongs to at most one contact per workspace — the database enforces it
 *   with a unique (org_id, identity). Rows survive their contact (contact_id NULL = orphan URN,
 *   kept for message history) and are claimed again when a contact takes the URN. `priority`:
 *   higher first (RapidPro's 1000, 999, ...).
 * - contact_field_values: one row per (contact, field) holding every parsed form of the value, in
 *   typed columns so a query compiler can filter by type with an index: number_value (numeric),
 *   datetime_value (timestamptz), text_value (lowercased text index for = comparisons), and the
 *   location paths (state/district/ward; empty until boundaries exist). A field's values are
 *   always looked up by field id first, and field ids are workspace-scoped.
 * - contact_notes: up to the last 5 notes per contact.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE contacts (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      name text,
      language text,
      status text NOT NULL DEFAULT 'A' CHECK (status IN ('A','B','S','V')),
      is_active boolean NOT NULL DEFAULT true,
      -- the flow the contact is currently in; the flows migration adds the foreign key
      current_flow_id bigint,
      created_by_id bigint REFERENCES users(id),
      modified_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      modified_on timestamptz NOT NULL DEFAULT clock_timestamp(),
      last_seen_on timestamptz
    );
    CREATE INDEX contacts_org_modified ON contacts (org_id, is_active, modified_on, id);
    CREATE INDEX contacts_org_status ON contacts (org_id, status) WHERE is_active;
    CREATE INDEX contacts_current_flow ON contacts (current_flow_id) WHERE current_flow_id IS NOT NULL;

    CREATE TABLE contact_urns (
      id bigserial PRIMARY KEY,
      org_id bigint NOT NULL REFERENCES orgs(id),
      contact_id bigint REFERENCES contacts(id),
      scheme text NOT NULL,
      path text NOT NULL,
      identity text NOT NULL,
      display text,
      priority integer NOT NULL DEFAULT 1000,
      channel_id bigint REFERENCES channels(id),
      auth_tokens jsonb
    );
    CREATE UNIQUE INDEX contact_urns_org_identity ON contact_urns (org_id, identity);
    CREATE INDEX contact_urns_contact ON contact_urns (contact_id, priority DESC, id);
    -- "path ~ 0788" searches (contactql) scan paths of one scheme
    CREATE INDEX contact_urns_org_scheme_path ON contact_urns (org_id, scheme, path);

    CREATE TABLE contact_field_values (
      contact_id bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
      field_id bigint NOT NULL REFERENCES contact_fields(id),
      org_id bigint NOT NULL REFERENCES orgs(id),
      text_value text NOT NULL,
      number_value numeric,
      datetime_value timestamptz,
      state_value text,
      district_value text,
      ward_value text,
      PRIMARY KEY (contact_id, field_id)
    );
    CREATE INDEX contact_field_values_text ON contact_field_values (field_id, lower(text_value));
    CREATE INDEX contact_field_values_number ON contact_field_values (field_id, number_value) WHERE number_value IS NOT NULL;
    CREATE INDEX contact_field_values_datetime ON contact_field_values (field_id, datetime_value) WHERE datetime_value IS NOT NULL;
    CREATE INDEX contact_field_values_state ON contact_field_values (field_id, lower(state_value)) WHERE state_value IS NOT NULL;
    CREATE INDEX contact_field_values_district ON contact_field_values (field_id, lower(district_value)) WHERE district_value IS NOT NULL;
    CREATE INDEX contact_field_values_ward ON contact_field_values (field_id, lower(ward_value)) WHERE ward_value IS NOT NULL;

    CREATE TABLE contact_notes (
      id bigserial PRIMARY KEY,
      contact_id bigint NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
      text text NOT NULL,
      created_by_id bigint REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX contact_notes_contact ON contact_notes (contact_id, created_on DESC, id DESC);

    ALTER TABLE contact_groups_contacts
      ADD CONSTRAINT contact_groups_contacts_contact_fk FOREIGN KEY (contact_id) REFERENCES contacts(id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE contact_groups_contacts DROP CONSTRAINT contact_groups_contacts_contact_fk;
    DROP TABLE contact_notes, contact_field_values, contact_urns, contacts;
  `.execute(db);
}
