import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { DatabaseConfig } from './config.ts';
import { startEmbedded, socketPath, describeHolder, SOCKET_PORT, type EmbeddedServer, type EmbeddedOptions } from './embedded.ts';
import { typeParsers } from './types.ts';
import type { DB } from './schema.ts';
import { migrateToLatest } from './migrate.ts';
import { prepareRepeatedStatements } from './statements.ts';

/** An open database: the `pg` pool, the Kysely handle over it, and how to close both. */
export interface Database {
  pool: pg.Pool;
  db: Kysely<DB>;
  /** 'embedded' when this process serves the PGlite folder, 'socket' when it uses another's. */
  mode: 'server' | 'embedded' | 'socket';
  /** The PGlite server when this process serves the embedded database. */
  embedded?: EmbeddedServer;
  close(): Promise<void>;
}

export class DatabaseOpenError extends Error {}

function makePool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({
    ...config,
    types: typeParsers,
    // UTC sessions make timestamp text come back as "+00" so rendering never depends on the server.
    options: '-c timezone=UTC',
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  pool.on('connect', (client) => prepareRepeatedStatements(client));
  return pool;
}

export interface OpenOptions {
  migrate?: boolean;
  poolSize?: number;
  embedded?: EmbeddedOptions;
}

export async function openDatabase(config: DatabaseConfig, opts: OpenOptions = {}): Promise<Database> {
  let embedded: EmbeddedServer | null = null;
  let pool: pg.Pool;
  let mode: Database['mode'];
  if (config.kind === 'server') {
    pool = makePool({ connectionString: config.url, max: opts.poolSize ?? 10 });
    mode = 'server';
  } else {
    embedded = await startEmbedded(config.dataDir, opts.embedded);
    if (!embedded && !existsSync(socketPath(config.dataDir))) {
      throw new DatabaseOpenError(
        `data folder ${config.dataDir} is locked by ${describeHolder(config.dataDir)} but its socket is not available; stop that process or use another RAPIDPRO_DATA_DIR`,
      );
    }
    pool = makePool({
      host: path.resolve(config.dataDir), // pg takes an absolute host as a socket folder
      port: SOCKET_PORT,
      user: 'postgres',
      database: 'postgres',
      // this process's own clients skip the socket (which serves other processes)
      ...(embedded && { stream: () => embedded!.connect() }),
      // One connection: PGlite runs one query at a time anyway, so more cost memory for nothing.
      max: opts.poolSize ?? 1,
    });
    mode = embedded ? 'embedded' : 'socket';
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const close = async () => {
    await db.destroy(); // ends the pool too
    if (embedded) await embedded.stop();
  };
  try {
    await pool.query('SELECT 1');
    if (opts.migrate !== false) await migrateToLatest(db);
  } catch (e) {
    await close().catch(() => {});
    if (e instanceof DatabaseOpenError) throw e;
    throw new DatabaseOpenError(`cannot open the database: ${(e as Error).message}`);
  }
  return { pool, db, mode, close, ...(embedded && { embedded }) };
}
