import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the contact query language: text field equality compares trimmed, lowercased values
 * (as RapidPro does), and `name ~ x` is a word-prefix regex that a trigram index can serve.
 * pg_trgm is a trusted extension (PostgreSQL 13+), so a database owner can create it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    DROP INDEX contact_field_values_text;
    CREATE INDEX contact_field_values_text ON contact_field_values (field_id, lower(trim(text_value)));
    CREATE INDEX contacts_name_trgm ON contacts USING gin (lower(name) gin_trgm_ops);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX contacts_name_trgm;
    DROP INDEX contact_field_values_text;
    CREATE INDEX contact_field_values_text ON contact_field_values (field_id, lower(text_value));
  `.execute(db);
}
