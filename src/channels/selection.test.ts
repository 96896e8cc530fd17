import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelRateLimiter } from './ratelimit.ts';
import { channelForURN, selectRoute } from './selection.ts';
import { makeChannel } from './testing.ts';

const rw = makeChannel({ type: 'EX', uuid: 'aaaaaaaa-0000-4000-8000-000000000001', address: '+250788000000', country: 'RW', roles: 'SR' });
const rw2 = makeChannel({ type: 'NX', uuid: 'aaaaaaaa-0000-4000-8000-000000000002', address: '+250722000000', country: 'RW', roles: 'SR' });
const us = makeChannel({ type: 'T', uuid: 'aaaaaaaa-0000-4000-8000-000000000003', address: '+12065551212', country: 'US', roles: 'SR' });
const tg = makeChannel({ type: 'TG', uuid: 'aaaaaaaa-0000-4000-8000-000000000004', address: 'bot', schemes: ['telegram'], roles: 'SR' });
const receiveOnly = makeChannel({ type: 'EX', uuid: 'aaaaaaaa-0000-4000-8000-000000000005', address: '+250788111111', country: 'RW', roles: 'R' });
const all = [receiveOnly, rw, rw2, us, tg];

test('the channel for a URN: affinity first, then scheme, country and the longest address prefix', () => {
  assert.equal(channelForURN('tel:+250722123456', all)?.uuid, rw2.uuid);
  assert.equal(channelForURN('tel:+250788123456', all)?.uuid, rw.uuid);
  assert.equal(channelForURN('tel:+14155550100', all)?.uuid, us.uuid);
  assert.equal(channelForURN('tel:+250722123456', all, us.uuid)?.uuid, us.uuid, 'the preferred channel wins when it can send on the scheme');
  assert.equal(channelForURN('tel:+250722123456', all, tg.uuid)?.uuid, rw2.uuid, 'a preferred channel of another scheme is skipped');
  assert.equal(channelForURN('telegram:123', all)?.uuid, tg.uuid);
  assert.equal(channelForURN('whatsapp:123', all), undefined);
  assert.equal(channelForURN('tel:+250788111111', [receiveOnly]), undefined, 'receive-only channels never send');
});

test('a route is the first URN, in priority order, that has a channel', () => {
  assert.deepEqual(selectRoute([{ urn: 'whatsapp:1' }, { urn: 'telegram:9' }, { urn: 'tel:+250788123456' }], all), { urn: 'telegram:9', channel: tg });
  assert.equal(selectRoute([{ urn: 'whatsapp:1' }], all), null);
  assert.equal(selectRoute([], all), null);
});

test('rate limit: a burst of one second, then tps messages per second per channel', async () => {
  let now = 0;
  const slept: number[] = [];
  const limiter = new ChannelRateLimiter(10, () => now, async (ms) => {
    slept.push(ms);
    now += ms;
  });
  const fast = makeChannel({ type: 'EX', uuid: 'bbbbbbbb-0000-4000-8000-000000000001', config: { tps: 5 } });
  const other = makeChannel({ type: 'EX', uuid: 'bbbbbbbb-0000-4000-8000-000000000002', config: {} });
  for (let i = 0; i < 5; i++) assert.equal(limiter.tryAcquire(fast), 0);
  assert.equal(limiter.tryAcquire(fast), 200, 'the 6th message waits 1/5 s');
  assert.equal(limiter.tryAcquire(other), 0, 'channels have separate buckets');
  for (let i = 0; i < 10; i++) await limiter.acquire(fast);
  assert.equal(now, 2000, '10 more messages at 5/s take 2 s');
  assert.equal(limiter.rateFor(other), 10);
});
