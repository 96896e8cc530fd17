import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from '../testing/databases.ts';
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

  test('unknown queues are refused', async () => {
    await assert.rejects(queue.enqueue('nope', {}), /unknown job queue/);
  });
});
