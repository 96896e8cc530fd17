import { sql, type Kysely } from 'kysely';

/**
 * Uploaded media (api-v2.md §2.17), as RapidPro models it: one row per stored file, scoped by
 * workspace. `path` is the storage key (`<org uuid>/<media uuid>/<filename>`), `url` the public URL
 * given out at upload time, which is what attachments carry (`<content_type>:<url>`).
 * status: P pending, R ready, F failed (upstream processes uploads asynchronously; we have no
 * post-processing, so uploads are stored ready). `original_id` and duration/width/height are kept
 * for alternates (thumbnails, transcodes) that upstream derives from an original.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE media (
      id bigserial PRIMARY KEY,
      uuid uuid NOT NULL UNIQUE,
      org_id bigint NOT NULL REFERENCES orgs(id),
      url text NOT NULL,
      content_type text NOT NULL,
      path text NOT NULL,
      size bigint NOT NULL DEFAULT 0,
      original_id bigint REFERENCES media(id),
      status text NOT NULL DEFAULT 'P' CHECK (status IN ('P','R','F')),
      duration integer NOT NULL DEFAULT 0,
      width integer NOT NULL DEFAULT 0,
      height integer NOT NULL DEFAULT 0,
      created_by_id bigint NOT NULL REFERENCES users(id),
      created_on timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX media_originals_by_org ON media (org_id, created_on DESC) WHERE original_id IS NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE media`.execute(db);
}
