import { sql, type Kysely } from 'kysely';

/**
 * A wait's timeout counts from when the question went out, as courier does it (a sent message that
 * ends its sprint moves the session's timeout): the session keeps its wait's timeout in seconds and
 * the last message its sprint sent, which the sender looks for when it marks a message sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE flow_sessions ADD COLUMN wait_timeout_seconds integer, ADD COLUMN wait_msg_uuid uuid;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE flow_sessions DROP COLUMN wait_msg_uuid, DROP COLUMN wait_timeout_seconds`.execute(db);
}
