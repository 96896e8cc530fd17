// A throwaway database for a benchmark: embedded PGlite in a fresh folder (on disk, as users run
// it) or a database created on the PostgreSQL server and dropped afterwards. Null when no server
// answers, so a benchmark can skip that half with a message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/open.ts';
import { serverAdminUrl } from '../src/testing/databases.ts';

export interface Scratch {
  database: Database;
  cleanup(): Promise<void>;
}

export async function openScratchDatabase(kind: 'pglite' | 'postgres', opts: { poolSize?: number } = {}): Promise<Scratch | null> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'rpts-bench-'));
    const database = await openDatabase({ kind: 'embedded', dataDir: dir });
    return {
      database,
      async cleanup() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = serverAdminUrl();
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    console.log(`\n[postgres] no server at ${adminUrl} (${(e as Error).message}) — skipped`);
    return null;
  }
  const name = `rpts_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'server', url: url.toString() }, opts.poolSize ? { poolSize: opts.poolSize } : {});
  return {
    database,
    async cleanup() {
      await database.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
