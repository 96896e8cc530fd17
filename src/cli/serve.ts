import { databaseConfigFromEnv } from '../db/config.ts';
import { openDatabase, type Database } from '../db/open.ts';
import { buildServer } from '../api/server.ts';
import { mediaStorageFromEnv } from '../media/config.ts';
import { countWorkspaces, createWorkspace } from '../models/workspaces.ts';
import { addMember } from '../models/users.ts';
import { createToken } from '../models/tokens.ts';
import { createJobQueue } from '../jobs/index.ts';

const FIRST_ADMIN = 'admin@example.com';

/** On a brand new database: a workspace, an administrator and a token, printed once. */
async function bootstrap(d: Database, baseUrl: string): Promise<string[]> {
  if ((await countWorkspaces(d.db)) > 0) return [];
  const ws = await createWorkspace(d.db, { name: 'My Workspace', timezone: 'UTC', languages: ['eng'] });
  const admin = await addMember(d.db, ws.id, { email: FIRST_ADMIN, role: 'administrator', firstName: 'Admin' });
  const token = await createToken(d.db, ws.id, admin.id);
  return [
    `First start: created workspace "My Workspace" (${ws.uuid}) with administrator ${FIRST_ADMIN}.`,
    `API token (shown once, stored hashed): ${token}`,
    `Try it:`,
    `  curl -H "Authorization: Token ${token}" ${baseUrl}/api/v2/workspace.json`,
  ];
}

export interface ServeOptions {
  workers: boolean;
  http?: boolean;
}

/** Runs until SIGINT/SIGTERM, then closes the HTTP server and the database cleanly. */
export async function serve(opts: ServeOptions): Promise<void> {
  const config = databaseConfigFromEnv();
  // checked before the database and workers start, so a media setting mistake ends the process
  const media = opts.http !== false ? mediaStorageFromEnv() : undefined;
  const d = await openDatabase(config);
  const stops: (() => Promise<void>)[] = [];
  const jobs = createJobQueue(d);
  const closeAll = async () => {
    for (const stop of stops) await stop();
    await jobs.stop();
    await d.close();
  };
  // signals are handled before anything announces readiness, so a supervisor that stops us as soon
  // as it sees the ready line still gets an orderly shutdown
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    // RAPIDPRO_WORKERS=0 makes a serve process API-only (scaled out, `worker` processes run jobs).
    if (opts.workers && process.env.RAPIDPRO_WORKERS !== '0') await jobs.work();
    else await jobs.start();
    const where = config.kind === 'embedded' ? `embedded database in ${config.dataDir}${d.mode === 'socket' ? ' (through the running server\'s socket)' : ''}` : 'PostgreSQL server';
    if (opts.http !== false) {
      const port = Number(process.env.PORT ?? 8000);
      const host = process.env.HOST ?? '127.0.0.1';
      const app = await buildServer({ db: d.db, jobs, media, logger: { level: process.env.LOG_LEVEL ?? 'warn' }, trustProxy: process.env.TRUST_PROXY === '1' });
      stops.push(() => app.close());
      await app.listen({ port, host });
      const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      console.log(`rapidpro-ts listening on ${baseUrl} (${where})`);
      for (const line of await bootstrap(d, baseUrl)) console.log(line);
      console.log(`More tokens: npx rapidpro-ts token create --workspace <uuid> --email <email>   (see README)`);
    } else {
      console.log(`rapidpro-ts worker started (${where})`);
    }
  } catch (e) {
    // a start that fails half way (the port taken, say) leaves nothing running: the caller exits
    await closeAll().catch(() => {});
    throw e;
  }
  await stopped;
  await closeAll();
  console.log('rapidpro-ts stopped');
}
