import { parseArgs } from 'node:util';
import { databaseConfigFromEnv } from '../db/config.ts';
import { openDatabase, DatabaseOpenError, type Database } from '../db/open.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { InvalidInputError } from '../models/errors.ts';
import { TokenRoleError } from '../models/tokens.ts';
import { serve } from './serve.ts';
import { adminCommands, UsageError } from './admin.ts';

const USAGE = `usage: rapidpro-ts <command> [options]

commands:
  serve                         run the API server (and job workers) — what \`npm start\` runs
  migrate                       apply pending database migrations
  worker                        run job workers only (scaled-out mode)
  workspace create --name N [--country CC] [--timezone TZ] [--languages eng,kin] [--date-style day_first|month_first|year_first] [--anon]
  user create --workspace UUID --email E --role administrator|editor|agent|viewer [--first-name F] [--last-name L]
  token create --workspace UUID --email E
  group create --workspace UUID --name N [--query CONTACTQL]   (a query makes a smart group)
  import --workspace UUID FILE  import a RapidPro export (flows of any spec version, fields, groups)
  channel create --workspace UUID --type TYPE --name N --address A [--country CC] [--config JSON]

environment: DATABASE_URL (PostgreSQL server; default: embedded PGlite in RAPIDPRO_DATA_DIR, ./data),
             PORT (8000), HOST (127.0.0.1), LOG_LEVEL (warn)`;

async function withDatabase<T>(fn: (d: Database) => Promise<T>): Promise<T> {
  const d = await openDatabase(databaseConfigFromEnv());
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

/** Runs a CLI command; failures print one line (never a stack trace) and exit non-zero. */
export async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      console.log(USAGE);
      return;
    }
    if (command === 'serve' || command === 'worker') {
      await serve({ workers: true, http: command === 'serve' });
      // everything is closed in order by now; a library timer must not keep a stopped server alive
      process.exit(process.exitCode ?? 0);
    }
    if (command === 'migrate') {
      const d = await openDatabase(databaseConfigFromEnv(), { migrate: false });
      try {
        const applied = await migrateToLatest(d.db);
        console.log(JSON.stringify({ applied }));
      } finally {
        await d.close();
      }
      return;
    }
    // Single-word commands (import) take the rest of the line as arguments; others are "noun verb".
    const single = adminCommands[command];
    const admin = single ?? adminCommands[`${command} ${sub ?? ''}`.trim()];
    if (!admin) throw new UsageError(`unknown command "${[command, sub].filter(Boolean).join(' ')}" (try --help)`);
    const args = single ? argv.slice(1) : rest;
    const { values, positionals } = parseArgs({ args, options: admin.options, strict: true, allowPositionals: !!admin.positionals?.length });
    const result = await withDatabase((d) => admin.run(d, values as Record<string, string | boolean | undefined>, positionals));
    console.log(JSON.stringify(result));
  } catch (e) {
    const known = e instanceof UsageError || e instanceof InvalidInputError || e instanceof DatabaseOpenError || e instanceof TokenRoleError;
    const code = (e as NodeJS.ErrnoException)?.code;
    const message = known || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) ? (e as Error).message : `unexpected error: ${(e as Error)?.message ?? e}`;
    console.error(`rapidpro-ts: ${message}`);
    process.exitCode = known || code?.startsWith?.('ERR_PARSE_ARGS') ? 2 : 1;
    // a server that failed to start has closed what it opened; no library timer may keep it alive
    if (command === 'serve' || command === 'worker') process.exit(process.exitCode);
  }
}
