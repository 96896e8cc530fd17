import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from './open.ts';
import { SOCKET_PORT } from './embedded.ts';

// The PGlite wire front (wire.ts) and the per-connection statement cache (statements.ts), seen from
// `pg` clients: this process's in-process pool and clients of another "process" on the socket.
describe('embedded PGlite wire front', () => {
  let dir: string;
  let database: Database;
  const sockets: pg.Client[] = [];
  const socketClient = async () => {
    const c = new pg.Client({ host: dir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' });
    await c.connect();
    sockets.push(c);
    return c;
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rpts-wire-'));
    database = await openDatabase({ kind: 'embedded', dataDir: dir }, { migrate: false });
    await database.pool.query('create table t (id int primary key, v text)');
  });
  after(async () => {
    for (const c of sockets) await c.end().catch(() => {});
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("two clients' pipelined extended-protocol queries never mix", async () => {
    const a = await socketClient();
    const b = await socketClient();
    const runs = Array.from({ length: 200 }, (_, i) =>
      (i % 2 ? a : b).query('select $1::int + $2::int as n, $3::text as who', [i, 1, i % 2 ? 'a' : 'b']).then((r) => {
        assert.deepEqual(r.rows[0], { n: i + 1, who: i % 2 ? 'a' : 'b' });
      }),
    );
    const own = Array.from({ length: 50 }, (_, i) => database.pool.query('select $1::int as n', [i]).then((r) => assert.equal(r.rows[0].n, i)));
    await Promise.all([...runs, ...own]);
  });

  test("a transaction holds the session: others wait, and see only what was committed", async () => {
    const a = await socketClient();
    const b = await socketClient();
    await a.query('begin');
    await a.query("insert into t values (1, 'uncommitted')");
    let bDone = false;
    const bRead = b.query('select count(*)::int as n from t').then((r) => {
      bDone = true;
      return r.rows[0].n;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(bDone, false, 'the other client waits while the transaction is open');
    await a.query('rollback');
    assert.equal(await bRead, 0);
  });

  test('a client that disconnects inside its transaction has it rolled back', async () => {
    const a = await socketClient();
    await a.query('begin');
    await a.query("insert into t values (2, 'lost')");
    a.on('error', () => {});
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const r = await database.pool.query('select count(*)::int as n from t where id = 2');
    assert.equal(r.rows[0].n, 0);
    assert.equal((await database.pool.query('select 1 as one')).rows[0].one, 1);
  });

  test('an error in a pipeline leaves the connection usable', async () => {
    const a = await socketClient();
    await assert.rejects(a.query('select $1::int / 0 as x', [1]), /division by zero/);
    assert.equal((await a.query('select $1::int as x', [7])).rows[0].x, 7);
  });

  test('repeated SELECTs become statements named per connection, so connections never collide', async () => {
    const sql = 'select $1::text as v from (select 1) s';
    const a = await socketClient();
    // two pools' connections in one session: each prepares the same text under its own name
    assert.equal((await database.pool.query(sql, ['x'])).rows[0].v, 'x');
    const other = new pg.Pool({ host: dir, port: SOCKET_PORT, user: 'postgres', database: 'postgres', max: 1 });
    const { prepareRepeatedStatements } = await import('./statements.ts');
    other.on('connect', (c) => prepareRepeatedStatements(c));
    try {
      assert.equal((await other.query(sql, ['y'])).rows[0].v, 'y');
      assert.equal((await other.query(sql, ['z'])).rows[0].v, 'z');
      const names = (await a.query("select name, statement from pg_prepared_statements where statement like '%from (select 1) s%'")).rows;
      assert.equal(names.length, 2, 'one statement per connection');
      assert.notEqual(names[0].name, names[1].name);
    } finally {
      await other.end();
    }
  });

  test('a prepared SELECT whose table changed shape still answers', async () => {
    await database.pool.query('create table shape (a int)');
    await database.pool.query('insert into shape values (1)');
    const sql = 'select * from shape where a = $1';
    assert.deepEqual((await database.pool.query(sql, [1])).rows, [{ a: 1 }]);
    await database.pool.query('alter table shape add column b text');
    assert.deepEqual((await database.pool.query(sql, [1])).rows, [{ a: 1, b: null }]);
    assert.deepEqual((await database.pool.query(sql, [1])).rows, [{ a: 1, b: null }]);
  });

  test('writes stay unnamed: ON CONFLICT against a partial unique index infers its arbiter', async () => {
    await database.pool.query('create table p (k text, active boolean)');
    await database.pool.query('create unique index p_k on p (k) where active');
    for (let i = 0; i < 3; i++) {
      await database.pool.query('insert into p values ($1, $2) on conflict (k) where active = $3 do nothing', ['k', true, true]);
    }
    assert.equal((await database.pool.query('select count(*)::int as n from p')).rows[0].n, 1);
  });
});
