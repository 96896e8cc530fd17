import { sql, type Kysely } from 'kysely';

/**
 * Triggers join the workspace's asset version (migration 0011), so the incoming path can keep a
 * workspace's message triggers in memory and check them with the version it reads anyway: any
 * write to a trigger, and archiving or unarchiving a flow (which decides whether its triggers
 * fire), gives the workspace a new version.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TRIGGER triggers_asset_version AFTER INSERT OR DELETE OR UPDATE ON triggers
      FOR EACH ROW EXECUTE FUNCTION bump_asset_version();
    CREATE TRIGGER flows_archived_asset_version AFTER UPDATE OF is_archived ON flows
      FOR EACH ROW EXECUTE FUNCTION bump_asset_version();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TRIGGER flows_archived_asset_version ON flows;
    DROP TRIGGER triggers_asset_version ON triggers;
  `.execute(db);
}
