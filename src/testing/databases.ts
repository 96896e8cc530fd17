import { describe, before, after } from 'node:test';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, renameSync, existsSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../db/open.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/** The PostgreSQL server the suite uses: TEST_DATABASE_URL, else the local trust-auth server. */
export function serverAdminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

let serverReachable: Promise<boolean> | undefined;
function isServerReachable(): Promise<boolean> {
  serverReachable ??= (async () => {
    const c = new pg.Client({ connectionString: serverAdminUrl(), connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch {
      return false;
    }
  })();
  return serverReachable;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../db/migrations');

/** Identifies the schema: a template is reused only while the migrations are unchanged. */
function schemaHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(migrationsDir).sort()) h.update(f).update(readFileSync(path.join(migrationsDir, f)));
  return h.digest('hex').slice(0, 16);
}

/**
 * A migrated PGlite cluster dumped once and loaded by every test file: loading takes about a third
 * of the time of a fresh initdb plus migrations. Cached in the temp folder by schema hash.
 */
async function pgliteTemplate(): Promise<Blob> {
  const file = path.join(tmpdir(), `rpts-pglite-template-${schemaHash()}.tgz`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const dir = mkdtempSync(path.join(tmpdir(), 'rpts-tpl-'));
  try {
    const database = await openDatabase({ kind: 'embedded', dataDir: dir }, { embedded: { inMemory: true } });
    const blob = await database.embedded!.dump();
    await database.close();
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, file); // atomic: parallel test files never read a half-written template
    return blob;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A database created for one test file and removed after it: never data the suite did not make. */
export async function createTestDatabase(kind: DatabaseKind): Promise<{ database: Database; destroy(): Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'rpts-'));
    const database = await openDatabase({ kind: 'embedded', dataDir: dir }, { embedded: { inMemory: true, loadDataDir: await pgliteTemplate() } });
    return {
      database,
      async destroy() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `rpts_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverAdminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const database = await openDatabase({ kind: 'server', url: withDatabase(serverAdminUrl(), name) });
  return {
    database,
    async destroy() {
      await database.close();
      const a = new pg.Client({ connectionString: serverAdminUrl() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * Declares the same tests against embedded PGlite and the PostgreSQL server. The server half is
 * skipped with a message when no server answers, except under CI=true where it must run.
 */
export function forEachDatabase(title: string, body: (db: () => Database, kind: DatabaseKind) => void): void {
  for (const kind of ['pglite', 'postgres'] as const) {
    describe(`${title} [${kind}]`, async () => {
      if (kind === 'postgres' && !(await isServerReachable())) {
        if (process.env.CI === 'true') throw new Error(`CI=true but no PostgreSQL server answers at ${serverAdminUrl()}`);
        describe('PostgreSQL server not reachable; set TEST_DATABASE_URL or start one — skipping', { skip: true }, () => {});
        return;
      }
      let handle: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
      before(async () => {
        handle = await createTestDatabase(kind);
      });
      body(() => {
        if (!handle) throw new Error('database not ready');
        return handle.database;
      }, kind);
      // registered after the body's hooks so it runs after them: suites stop their servers and
      // job workers before the database goes away
      after(async () => {
        await handle?.destroy();
      });
    });
  }
}
