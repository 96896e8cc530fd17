import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from '../testing/databases.ts';
import { ChannelRateLimiter, databaseRateLimitStore, type RateLimitStore, type RateLimitTake } from './ratelimit.ts';
import { makeChannel } from './testing.ts';

/** A store that records what each statement granted, per window. */
function recording(store: RateLimitStore, log: RateLimitTake[]): RateLimitStore {
  return {
    async take(key, capacity, windowMs, want) {
      const r = await store.take(key, capacity, windowMs, want);
      log.push(r);
      return r;
    },
  };
}

forEachDatabase('channel rate limit shared through the database', (db) => {
  test('three worker processes together stay within the channel tps; about one statement per batch of sends', async () => {
    const tps = 40;
    const ch = makeChannel({ type: 'EX', uuid: crypto.randomUUID(), config: { tps } });
    const other = makeChannel({ type: 'EX', uuid: crypto.randomUUID(), config: { tps } });
    const log: RateLimitTake[] = [];
    // each limiter has its own lease state and its own store, as separate processes would
    const limiters = [0, 1, 2].map(() => new ChannelRateLimiter(10, undefined, undefined, recording(databaseRateLimitStore(db().db), log)));
    const perProcess = 40;
    const concurrency = 20;
    const started = performance.now();
    const done: number[] = [];
    await Promise.all(limiters.map(async (limiter) => {
      let left = perProcess;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (left > 0) {
          left--;
          await limiter.acquire(ch);
          done.push(performance.now() - started);
        }
      }));
    }));
    const elapsed = performance.now() - started;
    assert.equal(done.length, 120);
    const byWindow = new Map<number, number>();
    for (const r of log) byWindow.set(r.window!, (byWindow.get(r.window!) ?? 0) + r.granted);
    for (const [w, n] of byWindow) assert.ok(n <= tps, `window ${w} granted ${n} > ${tps}`);
    assert.ok(byWindow.size >= 3, `120 messages at 40/s span at least three one-second windows (${byWindow.size})`);
    // 120 messages at 40/s: the third window starts at least 1 s after the first began
    assert.ok(elapsed >= 1000, `took ${elapsed.toFixed(0)} ms`);
    assert.ok(log.length <= 40, `${log.length} statements for 120 messages`);
    // another channel has its own count
    const fresh = new ChannelRateLimiter(10, undefined, undefined, databaseRateLimitStore(db().db));
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) await fresh.acquire(other);
    assert.ok(performance.now() - t0 < 900, 'a different channel is not held back by the first');
  });

  test('a channel under 1 tps counts over a longer window', async () => {
    const ch = makeChannel({ type: 'EX', uuid: crypto.randomUUID(), config: { tps: 0.5 } });
    const log: RateLimitTake[] = [];
    const a = new ChannelRateLimiter(10, undefined, undefined, recording(databaseRateLimitStore(db().db), log));
    const b = new ChannelRateLimiter(10, undefined, undefined, recording(databaseRateLimitStore(db().db), log));
    await a.acquire(ch);
    const t0 = performance.now();
    await b.acquire(ch);
    // the second message waits for the next 2-second window (up to 2 s, at least a little)
    assert.ok(log[0].granted === 1 && log[1].granted === 0, JSON.stringify(log));
    assert.ok(performance.now() - t0 <= 2100);
    assert.notEqual(log.at(-1)!.window, log[0].window);
  });
});

test('a failing store falls back to the per-process limit instead of stopping sends', async () => {
  let now = 0;
  const failing: RateLimitStore = { take: async () => { throw new Error('connection terminated'); } };
  const limiter = new ChannelRateLimiter(10, () => now, async (ms) => { now += ms; }, failing);
  const ch = makeChannel({ type: 'EX', uuid: crypto.randomUUID(), config: { tps: 5 } });
  for (let i = 0; i < 10; i++) await limiter.acquire(ch);
  assert.equal(now, 1000, '5 burst, then 5 more at 5/s');
});
