// Contacts API at scale, on embedded PGlite and on the PostgreSQL server, each figure next to a
// raw-SQL ceiling measured in the same run:
//   1. POST contacts.json (create with a URN and 3 field values) req/s, 16 connections; ceiling: the
//      same rows inserted by 16 pg clients in one transaction each (contact, URN, field values).
//   2. GET contacts.json pages of 250 (each contact: 10 field values, 2 URNs, 1 group) from a workspace
//      of 100k contacts, pages/s; ceiling: one SQL statement returning the same page with URNs,
//      groups and fields aggregated as JSON.
//   3. Time to list all 100k contacts following `next` links (one client, sequential); ceiling: the
//      same keyset walk in raw SQL.
// The 100k contacts are built with INSERT ... SELECT generate_series, not through the API.
//
//   npm run bench -- contacts
//   BENCH_DB=postgres BENCH_CONTACTS=100000 BENCH_SECONDS=5 npm run bench -- contacts
//   BENCH_PARTS=create npm run bench -- contacts      (create | list; both by default)
// CPU figures are this process's (server, in-process PGlite, load generator thread), per request.
// @ts-ignore -- autocannon ships no types
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { buildServer } from '../src/api/server.ts';
import type { Database } from '../src/db/open.ts';
import { openScratchDatabase } from './scratch.ts';
import { createWorkspace, updateWorkspace } from '../src/models/workspaces.ts';
import { addMember } from '../src/models/users.ts';
import { createToken } from '../src/models/tokens.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const FIELDS = 10;
const PARTS = new Set((process.env.BENCH_PARTS ?? 'create,list').split(','));
const TARGET_CREATES = 500; // per second, PostgreSQL
const TARGET_LIST_ALL_S = 60; // seconds for 100k, PostgreSQL

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Process CPU time (user + system) spent while `fn` runs, in µs. */
async function withCpu<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const c0 = process.cpuUsage();
  const r = await fn();
  const c = process.cpuUsage(c0);
  return [r, c.user + c.system];
}

async function load(opts: { url: string; headers: Record<string, string>; seconds?: number }): Promise<Measure> {
  const r = await autocannon({ url: opts.url, headers: opts.headers, connections: CONNECTIONS, duration: opts.seconds ?? SECONDS, pipelining: 1, workers: 1 });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

// autocannon's [<id>] body replacement hangs POSTs here, so unique bodies come from this small load
// generator: CONNECTIONS keep-alive loops in a worker thread (its own event loop, like autocannon's).
const POST_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, headers, body, seconds, connections } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const u = new URL(url);
const lat = [];
let non2xx = 0, errors = 0, done = 0;
const end = Date.now() + seconds * 1000;
function one(i) {
  return new Promise((resolve) => {
    const payload = body.split('[<id>]').join(i);
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', agent,
      headers: { ...headers, 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => {
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.statusCode < 200 || res.statusCode >= 300) non2xx++;
        done++;
        resolve();
      });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(payload);
  });
}
(async () => {
  const start = Date.now();
  let n = 0;
  await Promise.all(Array.from({ length: connections }, async (_, w) => {
    while (Date.now() < end) await one(workerData.prefix + '-' + w + '-' + (n++));
  }));
  lat.sort((a, b) => a - b);
  const pct = (p) => lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))]) : 0;
  parentPort.postMessage({ rps: done / ((Date.now() - start) / 1000), p50: pct(0.5), p99: pct(0.99), non2xx, errors });
  agent.destroy();
})();
`;

function loadPost(opts: { url: string; headers: Record<string, string>; body: string; seconds?: number; prefix: string }): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const w = new Worker(POST_WORKER, {
      eval: true,
      workerData: { url: opts.url, headers: opts.headers, body: opts.body, seconds: opts.seconds ?? SECONDS, connections: CONNECTIONS, prefix: opts.prefix },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

/** Runs `fn` from `workers` concurrent loops for `seconds`; returns completions per second. */
async function rawLoop(workers: number, seconds: number, fn: (worker: number, i: number) => Promise<void>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; Date.now() < end; i++) {
        await fn(w, i);
        done++;
      }
    }),
  );
  return done / ((Date.now() - start) / 1000);
}

function fmt(label: string, value: string, ratio?: number, extra = ''): string {
  return `  ${label.padEnd(52)} ${value.padStart(14)}${ratio !== undefined ? `  ${ratio.toFixed(3).padStart(6)} of ceiling` : ''}${extra}`;
}

function bad(m: Measure): string {
  return m.non2xx || m.errors ? `  !! ${m.non2xx} non-2xx, ${m.errors} errors` : `  p50 ${m.p50} ms  p99 ${m.p99} ms`;
}

async function seed(database: Database) {
  const db = database.db;
  const ws = await createWorkspace(db, { name: 'Contacts bench', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
  const admin = await addMember(db, ws.id, { email: `bench.${randomUUID()}@example.com`, role: 'administrator' });
  const token = await createToken(db, ws.id, admin.id);
  await updateWorkspace(db, ws.id, { apiRates: { v2: '100000000/hour', 'v2.contacts': '100000000/hour' } });
  const types = ['text', 'number', 'datetime', 'text', 'number', 'text', 'datetime', 'text', 'state', 'text'];
  await db
    .insertInto('contact_fields')
    .values(types.map((t, i) => ({ uuid: randomUUID(), org_id: ws.id, key: `field_${i}`, name: `Field ${i}`, value_type: t })))
    .execute();
  const group = await db.insertInto('contact_groups').values({ uuid: randomUUID(), org_id: ws.id, name: 'Everyone', group_type: 'M' }).returning('id').executeTakeFirstOrThrow();
  return { ws, token, groupId: group.id };
}

/** 100k contacts with 2 URNs, 10 typed field values and one group each, in a handful of statements. */
async function seedContacts(database: Database, orgId: number, groupId: number, n: number): Promise<number> {
  const t0 = Date.now();
  const db = database.db;
  await sql`
    INSERT INTO contacts (uuid, org_id, name, language, created_on, modified_on)
    SELECT gen_random_uuid(), ${orgId}, 'Contact ' || i, 'eng',
           timestamptz '2024-01-01' + (i || ' seconds')::interval, timestamptz '2024-01-01' + (i || ' seconds')::interval
    FROM generate_series(1, ${n}) i`.execute(db);
  await sql`
    INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, priority)
    SELECT ${orgId}, c.id, 'tel', '+2507' || lpad(c.id::text, 8, '0'), 'tel:+2507' || lpad(c.id::text, 8, '0'), 1000
    FROM contacts c WHERE c.org_id = ${orgId}`.execute(db);
  await sql`
    INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, priority)
    SELECT ${orgId}, c.id, 'whatsapp', '2507' || lpad(c.id::text, 8, '0'), 'whatsapp:2507' || lpad(c.id::text, 8, '0'), 999
    FROM contacts c WHERE c.org_id = ${orgId}`.execute(db);
  await sql`
    INSERT INTO contact_field_values (contact_id, field_id, org_id, text_value, number_value, datetime_value)
    SELECT c.id, f.id, ${orgId},
           CASE f.value_type WHEN 'datetime' THEN '2020-01-01T00:00:00Z' ELSE (c.id % 1000)::text END,
           CASE f.value_type WHEN 'datetime' THEN NULL ELSE c.id % 1000 END,
           CASE f.value_type WHEN 'datetime' THEN timestamptz '2020-01-01' ELSE NULL END
    FROM contacts c CROSS JOIN contact_fields f
    WHERE c.org_id = ${orgId} AND f.org_id = ${orgId} AND NOT f.is_system`.execute(db);
  await sql`INSERT INTO contact_groups_contacts (group_id, contact_id) SELECT ${groupId}, id FROM contacts WHERE org_id = ${orgId}`.execute(db);
  await sql`ANALYZE`.execute(db);
  return (Date.now() - t0) / 1000;
}

/** The ceiling for reading: one statement returning a page with everything aggregated. */
function rawPageSql(orgId: number, after: { modified: string; id: number } | null) {
  const keyset = after ? sql`AND (c.modified_on, c.id) < (${after.modified}::timestamptz, ${after.id})` : sql``;
  return sql<{ id: number; modified: string; body: unknown }>`
    SELECT c.id, c.modified_on::text AS modified, json_build_object(
      'uuid', c.uuid, 'name', c.name, 'status', c.status, 'language', c.language,
      'urns', (SELECT coalesce(json_agg(u.scheme || ':' || u.path ORDER BY u.priority DESC, u.id), '[]') FROM contact_urns u WHERE u.contact_id = c.id),
      'groups', (SELECT coalesce(json_agg(json_build_object('uuid', g.uuid, 'name', g.name) ORDER BY g.id), '[]')
                 FROM contact_groups_contacts gc JOIN contact_groups g ON g.id = gc.group_id WHERE gc.contact_id = c.id),
      'fields', (SELECT coalesce(json_object_agg(f.key, v.text_value), '{}') FROM contact_field_values v JOIN contact_fields f ON f.id = v.field_id WHERE v.contact_id = c.id),
      'created_on', c.created_on, 'modified_on', c.modified_on) AS body
    FROM contacts c
    WHERE c.org_id = ${orgId} AND c.is_active ${keyset}
    ORDER BY c.modified_on DESC, c.id DESC LIMIT 250`;
}

async function listAllHttp(base: string, auth: Record<string, string>): Promise<{ seconds: number; count: number; pages: number }> {
  const t0 = Date.now();
  let next: string | null = `${base}/api/v2/contacts.json`;
  let count = 0;
  let pages = 0;
  while (next) {
    const res = await fetch(next, { headers: auth });
    if (res.status !== 200) throw new Error(`GET ${next}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { next: string | null; results: unknown[] };
    count += page.results.length;
    pages++;
    next = page.next;
  }
  return { seconds: (Date.now() - t0) / 1000, count, pages };
}

const open = (kind: 'pglite' | 'postgres') => openScratchDatabase(kind, { poolSize: 20 });

async function benchDatabase(kind: 'pglite' | 'postgres'): Promise<boolean> {
  const opened = await open(kind);
  if (!opened) return true;
  const { database, cleanup } = opened;
  let ok = true;
  try {
    const { ws, token, groupId } = await seed(database);
    const app = await buildServer({ db: database.db });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    const base = `http://127.0.0.1:${addr.port}`;
    const auth = { authorization: `Token ${token}`, 'content-type': 'application/json' };
    console.log(`\n[${kind}] ${SECONDS} s each, ${CONNECTIONS} connections, loopback`);

    // 1. creates: plain, then in a workspace with smart groups (the create also decides its memberships)
    const body = JSON.stringify({ name: 'Bench [<id>]', language: 'eng', urns: ['ext:[<id>]'], fields: { field_0: 'hello', field_1: '42', field_2: '2024-01-02T03:04:05Z' } });
    if (PARTS.has('create')) {
      const createRun = async (authHeaders: Record<string, string>, tag: string) => {
        const check = await fetch(`${base}/api/v2/contacts.json`, { method: 'POST', headers: authHeaders, body: body.replaceAll('[<id>]', `${tag}-check`) });
        if (check.status !== 201) throw new Error(`POST contacts: ${check.status} ${await check.text()}`);
        await loadPost({ url: `${base}/api/v2/contacts.json`, headers: authHeaders, body, seconds: 1, prefix: `${tag}-warm` });
        const [m, cpu] = await withCpu(() => loadPost({ url: `${base}/api/v2/contacts.json`, headers: authHeaders, body, prefix: `${tag}-run` }));
        const done = m.rps * SECONDS;
        return { m, cpuPerOp: done ? cpu / done : 0 };
      };
      const creates = await createRun(auth, 'plain');
      const smart = await seed(database);
      const smartQueries = ['field_0 = "hello"', 'field_1 > 10', 'name ~ "bench"', 'language = "eng"', 'field_3 = "x" OR field_4 < 0'];
      await database.db
        .insertInto('contact_groups')
        .values(smartQueries.map((query, i) => ({ uuid: randomUUID(), org_id: smart.ws.id, name: `Smart ${i}`, group_type: 'Q', query, status: 'R' })))
        .execute();
      const smartCreates = await createRun({ ...auth, authorization: `Token ${smart.token}` }, 'smart');
      const counted = await sql<{ members: number; contacts: number }>`SELECT
          (SELECT count(*)::int FROM contact_groups_contacts gc JOIN contact_groups g ON g.id = gc.group_id WHERE g.org_id = ${smart.ws.id} AND g.group_type = 'Q') AS members,
          (SELECT count(*)::int FROM contacts WHERE org_id = ${smart.ws.id}) AS contacts`.execute(database.db);
      const fieldIds = (await database.db.selectFrom('contact_fields').select(['id', 'key']).where('org_id', '=', ws.id).where('key', 'in', ['field_0', 'field_1', 'field_2']).orderBy('key').execute()).map((f) => f.id);
      const rawCreates = await rawLoop(CONNECTIONS, SECONDS, async (w, i) => {
        await database.db.transaction().execute(async (tx) => {
          const c = await tx.insertInto('contacts').values({ uuid: randomUUID(), org_id: ws.id, name: 'Raw', language: 'eng' }).returning('id').executeTakeFirstOrThrow();
          await tx.insertInto('contact_urns').values({ org_id: ws.id, contact_id: c.id, scheme: 'ext', path: `raw${w}-${i}`, identity: `ext:raw${w}-${i}` }).execute();
          await tx
            .insertInto('contact_field_values')
            .values([
              { contact_id: c.id, field_id: fieldIds[0], org_id: ws.id, text_value: 'hello' },
              { contact_id: c.id, field_id: fieldIds[1], org_id: ws.id, text_value: '42', number_value: '42' },
              { contact_id: c.id, field_id: fieldIds[2], org_id: ws.id, text_value: '2024-01-02T03:04:05Z', datetime_value: '2024-01-02T03:04:05Z' },
            ])
            .execute();
        });
      });
      const cpu = (x: { cpuPerOp: number }) => `  ${x.cpuPerOp.toFixed(0)} µs CPU/op`;
      console.log(fmt('raw SQL create (1 tx: contact, URN, 3 values) (ceiling)', `${rawCreates.toFixed(0)} /s`));
      console.log(fmt('POST contacts.json (create, URN, 3 fields)', `${creates.m.rps.toFixed(0)} req/s`, creates.m.rps / rawCreates, bad(creates.m) + cpu(creates)));
      console.log(fmt(`  same, workspace with ${smartQueries.length} smart groups`, `${smartCreates.m.rps.toFixed(0)} req/s`, smartCreates.m.rps / rawCreates, bad(smartCreates.m) + cpu(smartCreates)));
      // each contact matches 4 of the 5 queries
      const { members, contacts } = counted.rows[0];
      if (members !== 4 * contacts) {
        console.log(`  !! ${members} smart-group memberships for ${contacts} contacts, expected ${4 * contacts}`);
        ok = false;
      }
      if (kind === 'postgres') {
        const met = creates.m.rps >= TARGET_CREATES && !creates.m.non2xx;
        console.log(`  create target ≥ ${TARGET_CREATES}/s: ${met ? 'met' : 'NOT met'}`);
        ok &&= met;
      }
    }

    // 2. pages from a big workspace: a fresh workspace so the creates above do not count
    if (PARTS.has('list')) {
      const big = await seed(database);
      const seeded = await seedContacts(database, big.ws.id, big.groupId, CONTACTS);
      console.log(fmt(`seeded ${CONTACTS} contacts (SQL generate_series)`, `${seeded.toFixed(1)} s`));
      const bigAuth = { authorization: `Token ${big.token}` };
      const first = (await (await fetch(`${base}/api/v2/contacts.json`, { headers: bigAuth })).json()) as any;
      if (first.results.length !== 250 || first.results[0].urns.length !== 2 || Object.keys(first.results[0].fields).length !== FIELDS) {
        throw new Error(`unexpected page: ${JSON.stringify(first).slice(0, 300)}`);
      }
      const deepCursor = new URL(first.next).search;
      await load({ url: `${base}/api/v2/contacts.json`, headers: bigAuth, seconds: 1 });
      const pages = await load({ url: `${base}/api/v2/contacts.json`, headers: bigAuth });
      const deep = await load({ url: `${base}/api/v2/contacts.json${deepCursor}`, headers: bigAuth });
      const rawPages = await rawLoop(CONNECTIONS, SECONDS, async () => {
        await rawPageSql(big.ws.id, null).execute(database.db);
      });
      console.log(fmt('raw SQL page of 250, JSON-aggregated (ceiling)', `${rawPages.toFixed(1)} pages/s`));
      console.log(fmt('GET contacts.json first page (250)', `${pages.rps.toFixed(1)} pages/s`, pages.rps / rawPages, bad(pages)));
      console.log(fmt('GET contacts.json second page (cursor)', `${deep.rps.toFixed(1)} pages/s`, deep.rps / rawPages, bad(deep)));

      // 3. all of them through next links
      const t0 = Date.now();
      let after: { modified: string; id: number } | null = null;
      let rawCount = 0;
      for (;;) {
        const r: { rows: { id: number; modified: string }[] } = await rawPageSql(big.ws.id, after).execute(database.db);
        rawCount += r.rows.length;
        if (r.rows.length < 250) break;
        const last = r.rows[r.rows.length - 1];
        after = { modified: last.modified, id: last.id };
      }
      const rawAll = (Date.now() - t0) / 1000;
      const all = await listAllHttp(base, bigAuth);
      console.log(fmt(`raw SQL keyset walk over ${rawCount} (ceiling)`, `${rawAll.toFixed(1)} s`));
      console.log(fmt(`list all ${all.count} via next links (${all.pages} pages)`, `${all.seconds.toFixed(1)} s`, rawAll / all.seconds, `  ${(all.count / all.seconds).toFixed(0)} contacts/s`));
      if (all.count !== CONTACTS) {
        console.log(`  !! listed ${all.count}, expected ${CONTACTS}`);
        ok = false;
      }
      if (kind === 'postgres') {
        const met = all.seconds < (TARGET_LIST_ALL_S * CONTACTS) / 100_000;
        console.log(`  list-all target < ${TARGET_LIST_ALL_S} s per 100k: ${met ? 'met' : 'NOT met'}`);
        ok &&= met;
      }
    }
    await app.close();
  } finally {
    await cleanup();
  }
  return ok;
}

const which = (process.env.BENCH_DB ?? 'pglite,postgres').split(',') as ('pglite' | 'postgres')[];
let allOk = true;
for (const kind of which) allOk = (await benchDatabase(kind)) && allOk;
process.exit(allOk ? 0 : 1);
