import path from 'node:path';

/** Where the data lives: a PostgreSQL server (DATABASE_URL) or the embedded PGlite folder. */
export type DatabaseConfig =
  | { kind: 'server'; url: string }
  | { kind: 'embedded'; dataDir: string };

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  if (env.DATABASE_URL) return { kind: 'server', url: env.DATABASE_URL };
  return { kind: 'embedded', dataDir: path.resolve(env.RAPIDPRO_DATA_DIR ?? 'data') };
}
