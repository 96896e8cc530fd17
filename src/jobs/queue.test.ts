import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from '../testing/databases.ts';
import { sql } from 'kysely';
import { JobQueue } from './queue.ts';

async function waitFor(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

forEachDatabase('job queue', (db) => {
  let queue: JobQueue;
  const seen: string[] = [];
  let failuresLeft = 1;
  before(async () => {
    queue = new JobQueue(db().pool, { pollingIntervalSeconds: 0.5 });
    queue.define<{ tag: string }>({ name: 'record', handler: async ({ tag }) => void seen.push(tag) });
    queue.define<{ tag: string }>({
      name: 'flaky',
      retryDelaySeconds: 1,
      handler: async ({ tag }) => {
        if (failuresLeft-- > 0) throw new Error('provider down');
        seen.push(tag);
      },
    });
    await queue.work();
  });
  after(async () => queue?.stop());

  test('a job enqueued in a rolled-back transaction never runs; a committed one runs once', async () => {
    await assert.rejects(
      db().db.transaction().execute(async (tx) => {
        await queue.enqueue('record', { tag: 'rolled-back' }, { tx });
        throw new Error('abort');
      }),
    );
    await db().db.transaction().execute(async (tx) => {
      await queue.enqueue('record', { tag: 'committed' }, { tx });
    });
    await waitFor(() => seen.includes('committed'));
    await new Promise((r) => setTimeout(r, 1200));
    assert.deepEqual(seen.filter((s) => s !== 'retried'), ['committed']);
  });

  test('a failing job is retried', async () => {
    await queue.enqueue('flaky', { tag: 'retried' });
    await waitFor(() => seen.includes('retried'), 20_000);
  });

  test('jobs written by insertSql inside a bigger statement are the rows enqueueMany writes, and run', async () => {
    await queue.enqueueMany('record', [{ tag: 'by-pg-boss' }]);
    await sql`WITH made AS (${queue.insertSql('record', sql`SELECT jsonb_build_object('tag', t) FROM unnest(${['by-sql-1', 'by-sql-2']}::text[]) t`)} RETURNING 1)
              SELECT count(*) FROM made`.execute(db().db);
    await waitFor(() => ['by-pg-boss', 'by-sql-1', 'by-sql-2'].every((t) => seen.includes(t)));
    const rows = (await sql<Record<string, unknown>>`
      SELECT data->>'tag' AS tag, name, priority, retry_limit, retry_delay, retry_backoff, expire_in::text, dead_letter, policy,
             round(extract(epoch FROM keep_until - created_on) / 3600) AS keep_hours, singleton_key, singleton_on
        FROM pgboss.job WHERE name = 'record' AND data->>'tag' IN ('by-pg-boss', 'by-sql-1', 'by-sql-2') ORDER BY data->>'tag'`.execute(db().db)).rows;
    assert.equal(rows.length, 3);
    const { tag: _, ...reference } = rows[0];
    for (const r of rows.slice(1)) {
      const { tag: __, ...other } = r;
      assert.deepEqual(other, reference, `job ${r.tag} differs from pg-boss's own`);
    }
  });

  test('unknown queues are refused', async () => {
    await assert.rejects(queue.enqueue('nope', {}), /unknown job queue/);
  });
});
