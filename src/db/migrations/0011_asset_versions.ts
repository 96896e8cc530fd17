import { sql, type Kysely } from 'kysely';

/**
 * A version number per workspace that changes whenever anything the flow engine reads as an asset
 * changes (flows, fields, groups, globals, labels, topics, channels, users and memberships), so
 * every process can keep a workspace's parsed assets in memory and check them with one keyed read.
 * Database triggers bump it, which catches every writer — any code path, any process. Values come
 * from a sequence, so a rolled-back change never leaves a number that a later change reuses.
 * Triggers fire only for the columns the engine reads: channels.last_seen or a smart group's
 * status change often and must not throw the cache away.
 */
const WATCHED: [table: string, columns: string][] = [
  ['flows', 'uuid, org_id, name, definition, is_active'],
  ['contact_fields', 'uuid, org_id, key, name, value_type, is_active, is_system'],
  ['contact_groups', 'uuid, org_id, name, query, group_type, is_active'],
  ['globals', 'org_id, key, name, value, is_active'],
  ['msg_labels', 'uuid, org_id, name, is_active'],
  ['topics', 'uuid, org_id, name, is_active'],
  ['channels', 'uuid, org_id, name, address, schemes, roles, country, is_active'],
  ['org_memberships', 'org_id, user_id'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE SEQUENCE asset_version_seq;
    CREATE TABLE asset_versions (
      org_id bigint PRIMARY KEY,
      version bigint NOT NULL
    );

    CREATE FUNCTION bump_org_asset_version(org bigint) RETURNS void LANGUAGE sql AS $$
      INSERT INTO asset_versions (org_id, version) VALUES (org, nextval('asset_version_seq'))
        ON CONFLICT (org_id) DO UPDATE SET version = EXCLUDED.version;
    $$;

    CREATE FUNCTION bump_asset_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        PERFORM bump_org_asset_version(OLD.org_id);
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.org_id IS DISTINCT FROM OLD.org_id) THEN
        PERFORM bump_org_asset_version(NEW.org_id);
      END IF;
      RETURN NULL;
    END $$;

    -- users belong to no workspace: a change reaches every workspace they are a member of
    CREATE FUNCTION bump_user_asset_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM bump_org_asset_version(m.org_id) FROM org_memberships m WHERE m.user_id = NEW.id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER users_asset_version AFTER UPDATE OF uuid, email, first_name, last_name, is_active ON users
      FOR EACH ROW EXECUTE FUNCTION bump_user_asset_version();
  `.execute(db);
  for (const [table, columns] of WATCHED) {
    await sql.raw(`
      CREATE TRIGGER ${table}_asset_version AFTER INSERT OR DELETE OR UPDATE OF ${columns} ON ${table}
        FOR EACH ROW EXECUTE FUNCTION bump_asset_version();
    `).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table] of WATCHED) await sql.raw(`DROP TRIGGER ${table}_asset_version ON ${table}`).execute(db);
  await sql`
    DROP TRIGGER users_asset_version ON users;
    DROP FUNCTION bump_user_asset_version();
    DROP FUNCTION bump_asset_version();
    DROP FUNCTION bump_org_asset_version(bigint);
    DROP TABLE asset_versions;
    DROP SEQUENCE asset_version_seq;
  `.execute(db);
}
