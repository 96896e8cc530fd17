import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, PostgresDialect } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { DB } from '../db/schema.ts';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace } from '../testing/api.ts';
import { updateWorkspace } from '../models/workspaces.ts';
import { THROTTLE_SYNC_MS, parseRate } from './throttle.ts';

const URL = '/api/v2/workspace.json';

async function storedHits(db: Kysely<DB>, orgId: number, scope = 'v2'): Promise<number> {
  const r = await db
    .selectFrom('api_throttle')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('hits'), eb.lit(0)).as('n'))
    .where('org_id', '=', orgId)
    .where('scope', '=', scope)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

test('rates parse as <n>/<period>', () => {
  assert.deepEqual(parseRate('3600/hour'), { limit: 3600, windowSeconds: 3600 });
  assert.deepEqual(parseRate('15000/h'), { limit: 15000, windowSeconds: 3600 });
  assert.deepEqual(parseRate('10/second'), { limit: 10, windowSeconds: 1 });
  assert.deepEqual(parseRate('5/day'), { limit: 5, windowSeconds: 86400 });
  assert.equal(parseRate('lots'), null);
});

forEachDatabase('throttle state in the database', (db) => {
  let app: FastifyInstance;
  // A second server over the same database with its own process-local state: another process.
  let app2: FastifyInstance;
  before(async () => {
    app = await makeApp(db().db);
    app2 = await makeApp(new Kysely<DB>({ dialect: new PostgresDialect({ pool: db().pool }) }));
  });
  after(async () => {
    await app?.close();
    await app2?.close(); // its Kysely shares the test pool, which the suite closes
  });

  test('concurrent requests in one process are limited exactly', async () => {
    const t = await makeWorkspace(db().db);
    await updateWorkspace(db().db, t.workspace.id, { apiRates: { v2: '10/hour' } });
    const c = new ApiClient(app, t.admin.token);
    const codes = await Promise.all(Array.from({ length: 30 }, () => c.get(URL).then((r) => r.statusCode)));
    assert.equal(codes.filter((s) => s === 200).length, 10);
    assert.equal(codes.filter((s) => s === 429).length, 20);
    // accepted hits reach the database shortly after (rejected ones are not counted)
    await sleep(THROTTLE_SYNC_MS * 2 + 100);
    assert.equal(await storedHits(db().db, t.workspace.id), 10);
  });

  test('another process sees the hits through the database', async () => {
    const t = await makeWorkspace(db().db);
    await updateWorkspace(db().db, t.workspace.id, { apiRates: { v2: '5/hour' } });
    const a = new ApiClient(app, t.admin.token);
    const b = new ApiClient(app2, t.editor.token);
    for (let i = 0; i < 3; i++) assert.equal((await a.get(URL)).statusCode, 200);
    await sleep(THROTTLE_SYNC_MS * 2 + 100);
    assert.equal((await b.get(URL)).statusCode, 200);
    assert.equal((await b.get(URL)).statusCode, 200);
    const res = await b.get(URL);
    assert.equal(res.statusCode, 429);
    const wait = Number(res.headers['retry-after']);
    assert.ok(wait >= 3500 && wait <= 3600, String(wait)); // one slot frees when the oldest hit leaves the hour
    assert.deepEqual(res.json(), { detail: `Request was throttled. Expected available in ${wait} seconds.` });
    // and the first process learns of the second's hits at its next sync
    await sleep(THROTTLE_SYNC_MS * 2 + 100);
    await a.get(URL); // triggers the refresh
    await sleep(THROTTLE_SYNC_MS);
    assert.equal((await a.get(URL)).statusCode, 429);
  });

  test('scopes and workspaces have separate buckets', async () => {
    const t = await makeWorkspace(db().db);
    const u = await makeWorkspace(db().db);
    await updateWorkspace(db().db, t.workspace.id, { apiRates: { v2: '1/minute' } });
    const c = new ApiClient(app, t.admin.token);
    assert.equal((await c.get(URL)).statusCode, 200);
    assert.equal((await c.get(URL)).statusCode, 429);
    assert.equal((await new ApiClient(app, u.admin.token).get(URL)).statusCode, 200);
  });
});
