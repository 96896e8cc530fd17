import { sql, type Kysely } from 'kysely';

/**
 * Send claims (runtime/sender.ts): a row per outgoing message a send job has taken, written
 * (committed) before the provider call and deleted with the message's outcome — the durable
 * "sending" mark. A row left by a crashed job says the provider may have the message: the job's
 * retry sends it again under the same message id. Kept out of `msgs` because a claim written there
 * rewrote the whole message row and every one of its indexes, twice per message.
 * (msgs.claimed_by / claimed_on are no longer written.)
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE msg_claims (
      -- no foreign key: its check would lock (write to) the message row this table exists to spare
      msg_id bigint PRIMARY KEY,
      job_id text NOT NULL,
      claimed_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE msg_claims`.execute(db);
}
