// API throughput: req/s of our server on loopback, on embedded PGlite and on the PostgreSQL server,
// each figure next to a trivial Fastify handler measured in the same process and run (the ceiling of
// this machine + Node + Fastify + the load generator). The load generator (autocannon) runs in a
// child process; the server's CPU time per request is reported too (robust on a busy machine).
//
//   npm run bench -- api                 both databases
//   BENCH_DB=pglite npm run bench -- api  one of them (pglite | postgres)
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=32 npm run bench -- api
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildServer } from '../src/api/server.ts';
import { endpoints } from '../src/api/v2/index.ts';
import type { Database } from '../src/db/open.ts';
import { openScratchDatabase } from './scratch.ts';
import { createWorkspace, updateWorkspace } from '../src/models/workspaces.ts';
import { addMember } from '../src/models/users.ts';
import { createToken } from '../src/models/tokens.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ITEMS = 250; // a full page of fields and of groups
const TARGETS: Record<string, number> = { pglite: 1500, postgres: 3000 };

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Server-process CPU microseconds per request (PGlite included when embedded). */
  cpuUs: number;
}

const autocannonPath = createRequire(import.meta.url).resolve('autocannon');
const LOADER = `
  const autocannon = require(process.argv[1]);
  autocannon(JSON.parse(process.argv[2])).then((r) => process.stdout.write(JSON.stringify({
    rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts,
  })), (e) => { console.error(e); process.exit(1); });`;

/**
 * Runs autocannon in a child process, so that the load generator neither shares the server's event
 * loop nor counts in its CPU time. Also returns the server process's CPU time per request: unlike
 * req/s it hardly depends on what else the machine is doing, and 1e6 / cpuUs is what one idle core
 * would serve.
 */
function load(url: string, headers: Record<string, string>, seconds = SECONDS): Promise<Measure> {
  const opts = { url, headers, connections: CONNECTIONS, duration: seconds, pipelining: 1 };
  const cpu0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOADER, autocannonPath, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const cpu = process.cpuUsage(cpu0);
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const m = JSON.parse(out);
      const total = m.rps * seconds;
      resolve({ ...m, cpuUs: total ? (cpu.user + cpu.system) / total : 0 });
    });
  });
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return `http://127.0.0.1:${addr.port}`;
}

/** A workspace with a token, a full page of fields and of groups, and a throttle that never cuts in. */
async function seed(database: Database): Promise<{ token: string; fieldKey: string }> {
  const db = database.db;
  const ws = await createWorkspace(db, { name: 'Bench', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
  const admin = await addMember(db, ws.id, { email: `bench.${randomUUID()}@example.com`, role: 'administrator' });
  const token = await createToken(db, ws.id, admin.id);
  await updateWorkspace(db, ws.id, { apiRates: { v2: '100000000/hour' }, limits: { fields: 1000, groups: 1000 } });
  await db
    .insertInto('contact_fields')
    .values(Array.from({ length: ITEMS }, (_, i) => ({ uuid: randomUUID(), org_id: ws.id, key: `field_${i}`, name: `Field ${i}`, value_type: i % 3 ? 'text' : 'number' })))
    .execute();
  await db
    .insertInto('contact_groups')
    .values(Array.from({ length: ITEMS }, (_, i) => ({ uuid: randomUUID(), org_id: ws.id, name: `Group ${i}`, group_type: 'M' })))
    .execute();
  return { token, fieldKey: 'field_7' };
}

function row(label: string, m: Measure, ceiling: number): string {
  const bad = m.non2xx || m.errors ? `  !! ${m.non2xx} non-2xx, ${m.errors} errors` : '';
  return `  ${label.padEnd(34)} ${m.rps.toFixed(0).padStart(7)} req/s  ${(m.rps / ceiling).toFixed(3).padStart(6)} of ceiling  p50 ${String(m.p50).padStart(3)} ms  p99 ${String(m.p99).padStart(4)} ms  cpu ${m.cpuUs.toFixed(0).padStart(5)} µs/req (≈${(1e6 / m.cpuUs).toFixed(0).padStart(6)}/s per core)${bad}`;
}

async function verify(base: string, path: string, headers: Record<string, string>): Promise<boolean> {
  const res = await fetch(base + path, { headers });
  if (res.status !== 200) {
    console.log(`  ${path}: HTTP ${res.status} ${await res.text()} — skipped`);
    return false;
  }
  return true;
}

async function benchDatabase(kind: 'pglite' | 'postgres'): Promise<boolean> {
  const opened = await openScratchDatabase(kind);
  if (!opened) return true;
  const { database, cleanup } = opened;

  try {
    const { token, fieldKey } = await seed(database);
    const app = await buildServer({ db: database.db });
    const base = await listen(app);
    const trivial = Fastify({ logger: false });
    trivial.get('/ping.json', async () => ({ ok: true }));
    const trivialBase = await listen(trivial);
    const auth = { authorization: `Token ${token}` };

    const cases: [string, string][] = [
      ['GET workspace.json', '/api/v2/workspace.json'],
      [`GET fields.json?key=${fieldKey}`, `/api/v2/fields.json?key=${fieldKey}`],
      [`GET fields.json (${ITEMS} items)`, '/api/v2/fields.json'],
    ];
    if (endpoints.some((e) => e.name === 'groups')) cases.push([`GET groups.json (${ITEMS} items)`, '/api/v2/groups.json']);
    else console.log('  (groups endpoint not registered yet — skipped)');

    console.log(`\n[${kind}] ${SECONDS} s each, ${CONNECTIONS} connections, loopback`);
    // warm up JIT, pools and the database caches
    await load(`${trivialBase}/ping.json`, {}, 1);
    for (const [, p] of cases) if (await verify(base, p, auth)) await load(base + p, auth, 1);

    const ceiling = await load(`${trivialBase}/ping.json`, {});
    console.log(row('trivial Fastify handler (ceiling)', ceiling, ceiling.rps));
    let singleOk = true;
    for (const [label, p] of cases) {
      if (!(await verify(base, p, auth))) continue;
      const m = await load(base + p, auth);
      console.log(row(label, m, ceiling.rps));
      if (p === '/api/v2/workspace.json' || p.includes('?key=')) {
        if (m.rps < TARGETS[kind]) singleOk = false;
      }
    }
    console.log(`  single-object GET target ≥ ${TARGETS[kind]} req/s: ${singleOk ? 'met' : 'NOT met'}`);
    await app.close();
    await trivial.close();
    return singleOk;
  } finally {
    await cleanup();
  }
}

const which = (process.env.BENCH_DB ?? 'pglite,postgres').split(',') as ('pglite' | 'postgres')[];
for (const kind of which) await benchDatabase(kind);
