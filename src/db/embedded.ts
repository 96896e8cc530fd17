import { mkdirSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGliteWire } from './wire.ts';
import { tryLock, lockHolder, type Lock } from './lockfile.ts';

export const SOCKET_PORT = 5432;

export function socketPath(dataDir: string): string {
  return path.join(dataDir, `.s.PGSQL.${SOCKET_PORT}`);
}
export function lockPath(dataDir: string): string {
  return path.join(dataDir, 'rapidpro.lock');
}

/** The embedded database, served in-process over a Unix socket so the app always speaks `pg`. */
export interface EmbeddedServer {
  socketDir: string;
  /** A connection for a `pg` client in this process, without the socket's kernel round trip. */
  connect(): Duplex;
  /** A gzipped copy of the database files (used as a template by the test suite). */
  dump(): Promise<Blob>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Keep the database in memory instead of `dataDir/pg` (tests). */
  inMemory?: boolean;
  /** Start from a dump made by `dump()` instead of an empty cluster. */
  loadDataDir?: Blob;
}

export class DataDirInUseError extends Error {}

/**
 * Opens PGlite in `dataDir/pg` and serves it on `dataDir/.s.PGSQL.5432`. Returns null when another
 * live process already serves this folder (callers then connect through its socket).
 */
export async function startEmbedded(dataDir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedServer | null> {
  mkdirSync(dataDir, { recursive: true });
  const lock: Lock | null = tryLock(lockPath(dataDir));
  if (!lock) return null;
  try {
    const sock = socketPath(dataDir);
    if (existsSync(sock)) rmSync(sock); // left by a crashed process: we hold the lock now
    const db = await PGlite.create(opts.inMemory ? 'memory://' : path.join(dataDir, 'pg'), {
      extensions: { pg_trgm },
      ...(opts.loadDataDir && { loadDataDir: opts.loadDataDir }),
    });
    const server = new PGliteWire(db);
    await server.listen(sock);
    return {
      socketDir: dataDir,
      connect: () => server.connectInProcess(),
      dump: () => db.dumpDataDir('gzip') as Promise<Blob>,
      async stop() {
        await server.close();
        await db.close();
        lock.release();
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Explains who holds a data folder, for the error shown when we cannot reach its socket. */
export function describeHolder(dataDir: string): string {
  const pid = lockHolder(lockPath(dataDir));
  return pid ? `process ${pid}` : 'another process';
}
