// Flows in production (issue 8): a flow start for 10k contacts (BENCH_FLOW_START overrides) through
// the real pipeline — flow start job, batch jobs of 500 contacts, engine sprints persisted per
// contact, first questions queued for sending through the EX channel to a fake provider on
// 127.0.0.1 — then replies handed to the incoming path (storeChannelEvents, what the EX receive URL
// calls) with BENCH_REPLY_CONCURRENCY (16) at a time: each resumes the contact's session, which
// answers with the second question. Reports the time until every first message row exists, until
// the provider got them all, and replies/s resumed and answered. PostgreSQL server by default;
// BENCH_PGLITE=1 adds embedded PGlite (BENCH_FLOW_START_PGLITE, 2k), BENCH_POSTGRES=0 leaves the server out. CPU per contact / reply is
// this process's (on PGlite that includes the database) and, on the server, its backends' (from
// /proc, when the server runs on this machine).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../src/db/open.ts';
import { openScratchDatabase } from './scratch.ts';
import { createWorkspace } from '../src/models/workspaces.ts';
import { createChannel } from '../src/models/channels.ts';
import { saveFlow } from '../src/models/flows.ts';
import { createFlowStart } from '../src/models/flow-starts.ts';
import { createJobQueue } from '../src/jobs/index.ts';
import { storeChannelEvents } from '../src/runtime/incoming.ts';
import { resumeWithMessage } from '../src/runtime/runner.ts';
import { messagingSink } from '../src/runtime/messaging.ts';
import { getWorkspace } from '../src/models/workspaces.ts';
import { HttpClient } from '../src/channels/http.ts';
import pg from 'pg';

// BENCH_COUNT_QUERIES=1: counts statements by their first words, printed per phase
const queryCounts = new Map<string, number>();
const queryTimes = new Map<string, number>();
if (process.env.BENCH_COUNT_QUERIES === '1') {
  const original = pg.Client.prototype.query as (...args: any[]) => any;
  (pg.Client.prototype as any).query = function (this: unknown, config: any, ...rest: any[]) {
    const text = String(typeof config === 'string' ? config : config?.text ?? '').replace(/\s+/g, ' ').slice(0, 90);
    queryCounts.set(text, (queryCounts.get(text) ?? 0) + 1);
    const t0 = performance.now();
    const r = original.call(this, config, ...rest);
    if (r && typeof r.then === 'function') r.then(() => queryTimes.set(text, (queryTimes.get(text) ?? 0) + performance.now() - t0), () => {});
    return r;
  };
}
function printQueryCounts(ops: number) {
  if (process.env.BENCH_COUNT_QUERIES !== '1') return;
  const total = [...queryCounts.values()].reduce((a, b) => a + b, 0);
  console.log(`    statements: ${(total / ops).toFixed(1)} per op`);
  for (const [t, n] of [...queryCounts].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`      ${(n / ops).toFixed(2).padStart(6)} ${Math.round((1000 * (queryTimes.get(t) ?? 0)) / n).toString().padStart(6)} µs  ${t}`);
  }
  queryCounts.clear();
  queryTimes.clear();
}


function twoQuestions(uuid: string) {
  const n = () => randomUUID();
  const [q1, w1, q2, w2] = [n(), n(), n(), n()];
  const all1 = { uuid: n(), name: 'All Responses', exit_uuid: n() };
  const all2 = { uuid: n(), name: 'All Responses', exit_uuid: n() };
  return {
    uuid, name: 'Bench Two Questions', spec_version: '14.4.2', language: 'eng', type: 'messaging', expire_after_minutes: 60, localization: {},
    nodes: [
      { uuid: q1, actions: [{ uuid: n(), type: 'send_msg', text: 'Hi @contact.name, what is your name?' }], exits: [{ uuid: n(), destination_uuid: w1 }] },
      { uuid: w1, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Name', default_category_uuid: all1.uuid, wait: { type: 'msg' }, cases: [], categories: [all1] }, exits: [{ uuid: all1.exit_uuid, destination_uuid: q2 }] },
      { uuid: q2, actions: [{ uuid: n(), type: 'send_msg', text: 'Thanks @results.name, favourite colour?' }], exits: [{ uuid: n(), destination_uuid: w2 }] },
      { uuid: w2, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Color', default_category_uuid: all2.uuid, wait: { type: 'msg' }, cases: [], categories: [all2] }, exits: [{ uuid: all2.exit_uuid }] },
    ],
  };
}

async function fakeProvider() {
  let requests = 0;
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => { requests++; res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (!(await cond())) {
    if (performance.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now();
}

/** CPU µs used so far by this database's server backends (0 when /proc cannot tell). */
async function backendCpuMicros(d: Database): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (d.mode !== 'server') return out;
  const pids = (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(d.db)).rows.map((r) => r.pid);
  const tick = 1e6 / 100; // USER_HZ
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) * tick);
      out.set(-pid, Number(f[12]) * tick); // kernel part, under the negated pid
    } catch { /* not on this machine */ }
  }
  return out;
}

/** Measures a phase's CPU: this process, and the database backends on the server. */
async function cpuMeter(d: Database) {
  const node0 = process.cpuUsage();
  const db0 = await backendCpuMicros(d);
  return async (ops: number) => {
    const node = process.cpuUsage(node0);
    const db1 = await backendCpuMicros(d);
    let dbMicros = 0;
    let dbKernel = 0;
    for (const [pid, t] of db1) {
      if (pid > 0) dbMicros += t - (db0.get(pid) ?? 0);
      else dbKernel += t - (db0.get(pid) ?? 0);
    }
    const nodeUs = (node.user + node.system) / ops;
    return d.mode === 'server'
      ? `CPU ${Math.round(nodeUs)} µs node (${Math.round(node.system / ops)} of it in the kernel) + ${Math.round(dbMicros / ops)} µs PostgreSQL backends (${Math.round(dbKernel / ops)} in the kernel) per op`
      : `CPU ${Math.round(nodeUs)} µs per op (node + PGlite)`;
  };
}

async function run(label: string, d: Database, n: number, replies: number) {
  console.log(`\n${label}: flow start for ${n} contacts, then ${replies} replies`);
  const fake = await fakeProvider();
  const ws = await createWorkspace(d.db, { name: 'Bench', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
  const channel = await createChannel(d.db, ws, { type: 'EX', name: 'Fake', address: '+250788000000', config: { send_url: `${fake.url}/send`, tps: 100_000 } });
  const group = await d.db.insertInto('contact_groups').values({ uuid: randomUUID(), org_id: ws.id, name: 'Everyone', group_type: 'M' }).returning('id').executeTakeFirstOrThrow();
  await sql`INSERT INTO contacts (uuid, org_id, name) SELECT gen_random_uuid(), ${ws.id}, 'Contact ' || i FROM generate_series(1, ${n}) i`.execute(d.db);
  await sql`INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, priority)
    SELECT ${ws.id}, id, 'tel', '+2507' || lpad(id::text, 8, '0'), 'tel:+2507' || lpad(id::text, 8, '0'), 1000 FROM contacts WHERE org_id = ${ws.id}`.execute(d.db);
  await sql`INSERT INTO contact_groups_contacts (group_id, contact_id) SELECT ${group.id}, id FROM contacts WHERE org_id = ${ws.id}`.execute(d.db);
  const flowUuid = randomUUID();
  const flow = await d.db.transaction().execute((tx) => saveFlow(tx, ws.id, twoQuestions(flowUuid)));
  await sql`ANALYZE`.execute(d.db);

  const jobs = createJobQueue(d, { pollingIntervalSeconds: 0.5, messaging: { http: new HttpClient(), callbackBaseUrl: 'http://127.0.0.1:1' } });
  await jobs.work();
  const outgoing = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM msgs WHERE org_id = ${ws.id} AND direction = 'O'`.execute(d.db)).rows[0].n);
  const flowId = (await d.db.selectFrom('flows').select('id').where('uuid', '=', flowUuid).executeTakeFirstOrThrow()).id;
  void flow;
  queryCounts.clear();
  queryTimes.clear();
  const startCpu = await cpuMeter(d);
  const t0 = performance.now();
  await d.db.transaction().execute((tx) => createFlowStart(tx, ws.id, {
    flowId, groupIds: [group.id], contactIds: [], params: null, restartParticipants: true, excludeActive: false, startType: 'A', userId: null,
  }, (name, data, opts) => jobs.enqueue(name, data, opts)));
  const queued = await waitFor(async () => (await outgoing()) >= n, 1_200_000);
  const queuedS = (queued - t0) / 1000;
  const startedPerSecond = n / queuedS;
  console.log(`  start → all ${n} first messages queued: ${queuedS.toFixed(2)} s (${Math.round(n / queuedS)} contacts/s); provider had received ${fake.requests()} by then`);
  console.log(`    ${await startCpu(n)} (includes sending what was sent meanwhile)`);
  printQueryCounts(n);
  if (process.env.BENCH_WAIT_DELIVERY === '1') {
    const sent = await waitFor(() => fake.requests() >= n, 1_800_000);
    console.log(`  start → fake provider received all ${n}: ${((sent - t0) / 1000).toFixed(2)} s`);
  }

  // replies: the incoming path resumes each session, which queues the second question
  const urns = (await d.db.selectFrom('contact_urns').select('identity').where('org_id', '=', ws.id).orderBy('id').limit(replies).execute()).map((u) => u.identity);
  const concurrency = Number(process.env.BENCH_REPLY_CONCURRENCY ?? 16);
  if (process.env.BENCH_IDLE_CPU === '1') {
    // what the workers cost with nothing to do (pollers, maintenance), per second
    const idle = await cpuMeter(d);
    await new Promise((r) => setTimeout(r, 3000));
    console.log(`  idle: ${await idle(3)} (op = 1 s)`);
  }
  queryCounts.clear();
  queryTimes.clear();
  const seqScans = async () => new Map((await sql<{ relname: string; n: string }>`SELECT relname, (seq_scan + coalesce(idx_scan, 0) * 0)::text AS n FROM pg_stat_user_tables`.execute(d.db)).rows.map((r) => [r.relname, Number(r.n)]));
  const scans0 = process.env.BENCH_COUNT_QUERIES === '1' ? await seqScans() : new Map();
  const replyCpu = await cpuMeter(d);
  const r0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < urns.length) {
      const urn = urns[next++];
      await storeChannelEvents(d.db, channel.uuid, [{ kind: 'msg', uuid: randomUUID(), urn, text: 'Alice', attachments: [], externalId: null, receivedOn: new Date() }], jobs);
    }
  }));
  const handled = performance.now();
  const repliesPerSecond = urns.length / ((handled - r0) / 1000);
  const answered = await waitFor(async () => (await outgoing()) >= n + urns.length, 600_000);
  const handledS = (handled - r0) / 1000;
  console.log(`  ${urns.length} replies stored, resumed and answered (second question queued): ${handledS.toFixed(2)} s (${Math.round(urns.length / handledS)} replies/s, ${concurrency} at a time)`);
  console.log(`  … and every answer row visible: ${((answered - r0) / 1000).toFixed(2)} s`);
  console.log(`    ${await replyCpu(urns.length)} (includes sending what was sent meanwhile)`);
  printQueryCounts(urns.length);
  if (process.env.BENCH_COUNT_QUERIES === '1') {
    await new Promise((r) => setTimeout(r, 800)); // statistics reach the views with a delay
    for (const [t, n] of await seqScans()) if (n - (scans0.get(t) ?? 0) > urns.length / 10) console.log(`    sequential scans of ${t}: ${((n - (scans0.get(t) ?? 0)) / urns.length).toFixed(2)} per reply`);
  }
  const waiting = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM flow_runs WHERE org_id = ${ws.id} AND status = 'W' AND responded`.execute(d.db)).rows[0].n);
  console.log(`  runs waiting on the second question: ${waiting}`);
  await jobs.stop();

  // ceiling, same run and concurrency: what a reply must write at the least — the incoming
  // message, the session, the answer — as one statement each reply, with no engine, no lookups
  const sessionIds = (await d.db.selectFrom('flow_sessions').select(['id', 'contact_id']).where('org_id', '=', ws.id).where('status', '=', 'W').limit(urns.length).execute());
  let c = 0;
  const ceilingCpu = await cpuMeter(d);
  const c0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (c < sessionIds.length) {
      const s = sessionIds[c++];
      await sql`WITH incoming AS (
          INSERT INTO msgs (uuid, org_id, contact_id, direction, status, visibility, msg_type, text, attachments, quick_replies, created_on, modified_on)
          VALUES (gen_random_uuid(), ${ws.id}, ${s.contact_id}, 'I', 'H', 'V', 'T', 'Alice', '{}', '[]', now(), now())),
        session AS (UPDATE flow_sessions SET output = output || ${JSON.stringify({ bench: true })}::jsonb, wait_started_on = clock_timestamp() WHERE id = ${s.id})
        INSERT INTO msgs (uuid, org_id, contact_id, direction, status, visibility, msg_type, text, attachments, quick_replies, created_on, modified_on)
        VALUES (gen_random_uuid(), ${ws.id}, ${s.contact_id}, 'O', 'Q', 'V', 'T', 'Thanks Alice, favourite colour?', '{}', '[]', now(), now())`.execute(d.db);
    }
  }));
  const ceiling = sessionIds.length / ((performance.now() - c0) / 1000);
  console.log(`  ceiling (one raw statement per reply writing its incoming message, session and answer): ${Math.round(ceiling)} replies/s; replies handled at ${(repliesPerSecond / ceiling).toFixed(2)} of it`);
  console.log(`    ${await ceilingCpu(sessionIds.length)}`);

  // the runtime's own share of a reply: resumeWithMessage on contacts not replied to yet (message
  // rows, sessions, runs, send and wait jobs written; nothing stored as received, nothing sent)
  const rest = (await d.db.selectFrom('contact_urns').select(['contact_id', 'identity']).where('org_id', '=', ws.id).orderBy('id').offset(urns.length).limit(urns.length).execute());
  if (rest.length) {
    const idle = createJobQueue(d, { pollingIntervalSeconds: 0.5 });
    await idle.start(); // enqueues work, nobody fetches
    const deps = { db: d.db, sink: messagingSink(idle), jobs: idle };
    const wsRow = (await getWorkspace(d.db, ws.id))!;
    queryCounts.clear();
    queryTimes.clear();
    const resumeCpu = await cpuMeter(d);
    const q0 = performance.now();
    let k = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (k < rest.length) {
        const c = rest[k++];
        await resumeWithMessage(deps, wsRow, c.contact_id!, { uuid: randomUUID(), text: 'Bob', urn: c.identity, createdOn: new Date().toISOString() });
      }
    }));
    const qS = (performance.now() - q0) / 1000;
    console.log(`  runtime only (resumeWithMessage, no incoming storage or sending): ${rest.length} in ${qS.toFixed(2)} s (${Math.round(rest.length / qS)} resumes/s)`);
    console.log(`    ${await resumeCpu(rest.length)}`);
    printQueryCounts(rest.length);
    await idle.stop();
  }

  // ceiling for the start, same run: what starting a contact writes at the least — its session,
  // run and first message, of the sizes the runtime wrote — as one INSERT ... SELECT statement per
  // group of 250 contacts (the runtime's group size), with no engine and no jobs
  const sample = await d.db.selectFrom('flow_sessions').select(['output']).where('org_id', '=', ws.id).executeTakeFirstOrThrow();
  const run = await d.db.selectFrom('flow_runs').select(['results', 'path']).where('org_id', '=', ws.id).executeTakeFirstOrThrow();
  const all = (await d.db.selectFrom('contacts').select('id').where('org_id', '=', ws.id).orderBy('id').execute()).map((c) => c.id);
  const s0 = performance.now();
  for (let i = 0; i < all.length; i += 250) {
    await sql`WITH s AS (
        INSERT INTO flow_sessions (uuid, org_id, contact_id, status, output, current_flow_id, ended_on)
        SELECT gen_random_uuid(), ${ws.id}, c, 'C', ${JSON.stringify(sample.output)}::jsonb, ${flowId}, now() FROM unnest(${all.slice(i, i + 250)}::bigint[]) c
        RETURNING id, contact_id),
      r AS (
        INSERT INTO flow_runs (uuid, org_id, flow_id, contact_id, session_id, status, responded, results, path, created_on, modified_on)
        SELECT gen_random_uuid(), ${ws.id}, ${flowId}, contact_id, id, 'C', false, ${JSON.stringify(run.results)}::jsonb, ${JSON.stringify(run.path)}::jsonb, now(), now() FROM s)
      INSERT INTO msgs (uuid, org_id, contact_id, flow_id, direction, status, visibility, msg_type, text, attachments, quick_replies, created_on, modified_on)
      SELECT gen_random_uuid(), ${ws.id}, contact_id, ${flowId}, 'O', 'F', 'V', 'T', 'Hi Contact, what is your name?', '{}', '[]', now(), now() FROM s`.execute(d.db);
  }
  const startCeiling = all.length / ((performance.now() - s0) / 1000);
  console.log(`  ceiling for the start (bulk INSERT ... SELECT of each contact's session, run and message, 250 a statement): ${Math.round(startCeiling)} contacts/s; started at ${(startedPerSecond / startCeiling).toFixed(2)} of it`);
  await fake.close();
}

async function main() {
  const n = Number(process.env.BENCH_FLOW_START ?? 10_000);
  const replies = Number(process.env.BENCH_REPLIES ?? 2_000);
  const server = process.env.BENCH_POSTGRES === '0' ? null : await openScratchDatabase('postgres');
  if (server) {
    try {
      await run('PostgreSQL', server.database, n, replies);
    } finally {
      await server.cleanup();
    }
  }
  if (process.env.BENCH_PGLITE === '1') {
    const embedded = (await openScratchDatabase('pglite'))!;
    try {
      const np = Number(process.env.BENCH_FLOW_START_PGLITE ?? 2_000);
      await run('PGlite (embedded)', embedded.database, np, Math.min(replies, np, 500));
    } finally {
      await embedded.cleanup();
    }
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
