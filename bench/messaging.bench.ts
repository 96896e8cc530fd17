// A broadcast to 100k contacts (BENCH_BROADCAST overrides) through the real pipeline: expansion job,
// batch jobs of 500 contacts (one bulk INSERT each), send jobs per channel through the EX channel
// type and the shared HTTP client to a fake provider on 127.0.0.1. Reports the time until every
// message row exists and until the fake provider has received every message, next to a raw
// `INSERT ... SELECT` of the same number of message rows. PostgreSQL server by default; set
// BENCH_PGLITE=1 to run it on embedded PGlite as well (smaller: BENCH_BROADCAST_PGLITE, 20k). CPU time is
// reported per message for this process and for the database server's backends (read from /proc).
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/db/open.ts';
import { createWorkspace } from '../src/models/workspaces.ts';
import { createChannel } from '../src/models/channels.ts';
import { insertBroadcast } from '../src/models/broadcasts.ts';
import { createJobQueue } from '../src/jobs/index.ts';
import { queueBroadcast } from '../src/runtime/broadcasts.ts';
import { HttpClient } from '../src/channels/http.ts';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// The fake provider runs in its own process, so the CPU figures of this one are the pipeline's.
const FAKE_SOURCE = `
const { createServer } = require('node:http');
const seen = new Set();
let requests = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    requests++;
    const id = new URLSearchParams(Buffer.concat(chunks).toString()).get('id');
    if (id) seen.add(id);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
setInterval(() => process.send({ seen: seen.size, requests }), 20);
process.on('disconnect', () => process.exit(0));
`;

async function fakeProvider() {
  const child = fork('-e', [FAKE_SOURCE], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const state = { seen: 0, requests: 0 };
  const port = await new Promise<number>((resolve) => child.on('message', (m: any) => {
    if (m.port) resolve(m.port);
    else Object.assign(state, m);
  }));
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => state.seen,
    requests: () => state.requests,
    close: async () => {
      child.kill();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** CPU seconds used so far by the database server's backends serving this database. */
async function backendCpuSeconds(d: Database, dbName: string): Promise<Map<number, number>> {
  const pids = (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = ${dbName}`.execute(d.db)).rows.map((r) => r.pid);
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      /* another machine, or the backend ended */
    }
  }
  return out;
}
const cpuSince = (before: Map<number, number>, after: Map<number, number>) => {
  let t = 0;
  for (const [pid, s] of after) t += s - (before.get(pid) ?? 0);
  return t;
};
const nodeCpu = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (!(await cond())) {
    if (performance.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now();
}

/** BENCH_CREATE_ONLY=1: the channel sends one message a second, so the figures are those of creating the messages alone. */
const createOnly = process.env.BENCH_CREATE_ONLY === '1';

async function run(label: string, d: Database, n: number, dbName: string | null) {
  const pgCpu = async () => (dbName ? backendCpuSeconds(d, dbName) : new Map<number, number>());
  console.log(`\n${label}: broadcast to ${n} contacts`);
  const fake = await fakeProvider();
  const ws = await createWorkspace(d.db, { name: 'Bench', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
  await createChannel(d.db, ws, { type: 'EX', name: 'Fake', address: '+250788000000', config: { send_url: `${fake.url}/send`, tps: createOnly ? 1 : 100_000 } });
  const group = await d.db.insertInto('contact_groups').values({ uuid: crypto.randomUUID(), org_id: ws.id, name: 'Everyone', group_type: 'M' }).returning('id').executeTakeFirstOrThrow();
  const t0 = performance.now();
  await sql`INSERT INTO contacts (uuid, org_id, name) SELECT gen_random_uuid(), ${ws.id}, 'Contact ' || i FROM generate_series(1, ${n}) i`.execute(d.db);
  await sql`INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, priority)
    SELECT ${ws.id}, id, 'tel', '+2507' || lpad(id::text, 8, '0'), 'tel:+2507' || lpad(id::text, 8, '0'), 1000 FROM contacts WHERE org_id = ${ws.id}`.execute(d.db);
  await sql`INSERT INTO contact_groups_contacts (group_id, contact_id) SELECT ${group.id}, id FROM contacts WHERE org_id = ${ws.id}`.execute(d.db);
  await sql`ANALYZE`.execute(d.db);
  console.log(`  seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // raw ceiling: the same number of message rows with one INSERT ... SELECT (then removed)
  const rawCpu0 = await pgCpu();
  const r0 = performance.now();
  await sql`INSERT INTO msgs (uuid, org_id, contact_id, contact_urn_id, direction, status, visibility, msg_type, text)
    SELECT gen_random_uuid(), ${ws.id}, c.id, u.id, 'O', 'F', 'V', 'T', 'Hello ' || c.name FROM contacts c JOIN contact_urns u ON u.contact_id = c.id
    WHERE c.org_id = ${ws.id}`.execute(d.db);
  const rawMs = performance.now() - r0;
  const rawPgCpu = cpuSince(rawCpu0, await pgCpu());
  await sql`DELETE FROM msgs WHERE org_id = ${ws.id}`.execute(d.db);
  await sql`VACUUM ANALYZE msgs`.execute(d.db);

  const jobs = createJobQueue(d, { pollingIntervalSeconds: 0.5, messaging: { http: new HttpClient(), callbackBaseUrl: 'http://127.0.0.1:1' } });
  await jobs.work();
  const pg0 = await pgCpu();
  const node0 = process.cpuUsage();
  const start = performance.now();
  const broadcastId = await d.db.transaction().execute(async (tx) => {
    const b = await insertBroadcast(tx, ws.id, {
      translations: { eng: { text: process.env.BENCH_TEXT ?? 'Hello @contact.name', attachments: [], quick_replies: [] } }, baseLanguage: 'eng',
      urns: [], contactIds: [], groupIds: [group.id], userId: null,
    });
    await queueBroadcast(jobs, tx, ws.id, b.id);
    return b.id;
  });
  // the broadcast completes when its last batch commits, with the number of messages it created
  const progress = async () => (await d.db.selectFrom('broadcasts').select(['status', 'msg_count']).where('id', '=', broadcastId).executeTakeFirstOrThrow());
  // when the provider got its first message: delivery must not wait for the whole broadcast
  let firstDelivery = 0;
  const watchFirst = setInterval(() => {
    if (!firstDelivery && fake.seen() > 0) firstDelivery = performance.now();
  }, 10);
  const created = await waitFor(async () => (await progress()).status === 'C', 600_000);
  const deliveredWhileCreating = fake.seen();
  const createdNodeCpu = nodeCpu(process.cpuUsage(node0));
  const createdPgCpu = cpuSince(pg0, await pgCpu());
  const rows = (await progress()).msg_count;
  const createdS = (created - start) / 1000;
  const us = (cpuS: number) => `${((cpuS * 1e6) / n).toFixed(0)} µs/msg`;
  const pgPart = (cpuS: number) => (dbName ? `, database ${us(cpuS)}` : '');
  console.log(`  raw INSERT ... SELECT of ${n} msgs: ${(rawMs / 1000).toFixed(2)} s (${Math.round(n / (rawMs / 1000))} rows/s${dbName ? `; database CPU ${us(rawPgCpu)}` : ''})`);
  console.log(`  broadcast → all ${rows} message rows created: ${createdS.toFixed(2)} s (${Math.round(n / createdS)} msgs/s, ${(rawMs / 1000 / createdS * 100).toFixed(0)}% of raw); CPU so far: node ${us(createdNodeCpu)}${pgPart(createdPgCpu)}${createOnly ? ' (creation only)' : ' (sending runs meanwhile)'}`);
  if (!createOnly) {
    const first = firstDelivery ? `first message at the provider after ${((firstDelivery - start) / 1000).toFixed(2)} s` : 'no message at the provider yet';
    console.log(`  while creating: ${first}, ${deliveredWhileCreating} delivered (${Math.round(deliveredWhileCreating / createdS)} msgs/s)`);
  }
  if (createOnly) {
    clearInterval(watchFirst);
    await jobs.stop();
    await fake.close();
    return;
  }
  const delivered = await waitFor(() => fake.seen() >= n, 600_000);
  clearInterval(watchFirst);
  const deliveredNodeCpu = nodeCpu(process.cpuUsage(node0));
  const deliveredPgCpu = cpuSince(pg0, await pgCpu());
  await new Promise((r) => setTimeout(r, 500));
  const deliveredS = (delivered - start) / 1000;
  console.log(`  broadcast → fake provider received all: ${deliveredS.toFixed(2)} s (${Math.round(n / deliveredS)} msgs/s); CPU in all: node ${us(deliveredNodeCpu)}${pgPart(deliveredPgCpu)}; requests ${fake.requests()}, distinct messages ${fake.seen()}, duplicates ${fake.requests() - fake.seen()}`);
  await jobs.stop();
  await fake.close();
}

async function main() {
  const n = Number(process.env.BENCH_BROADCAST ?? 100_000);
  const admin = new pg.Client({ connectionString: SERVER });
  let reachable = true;
  try {
    await admin.connect();
  } catch {
    reachable = false;
  }
  if (reachable) {
    const name = `rpts_bench_msg_${process.pid}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const u = new URL(SERVER);
    u.pathname = `/${name}`;
    const d = await openDatabase({ kind: 'server', url: u.toString() });
    // an interrupted run still drops its database
    const interrupted = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      process.exit(130);
    };
    process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
    try {
      await run('PostgreSQL', d, n, name);
    } finally {
      await d.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  } else console.log('PostgreSQL server not reachable: skipping the server run');
  if (process.env.BENCH_PGLITE === '1') {
    const dir = mkdtempSync(path.join(tmpdir(), 'rpts-bench-msg-'));
    const d = await openDatabase({ kind: 'embedded', dataDir: dir });
    try {
      await run('PGlite (embedded)', d, Number(process.env.BENCH_BROADCAST_PGLITE ?? 20_000), null);
    } finally {
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
