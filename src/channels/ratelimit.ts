// Per-channel send rate limit (messages per second), as a token bucket per channel. The channel's
// `tps` config (RapidPro's field) sets its rate; the default applies otherwise. This limiter lives
// in one process: a sender running N worker processes should give each 1/N of the rate (or keep
// one sender per channel) — nothing here is shared through the database.
import type { Channel } from './types.ts';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class ChannelRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly defaultTps = 10,
    private readonly clock: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** The channel's rate: config `tps` when a positive number, else the default. */
  rateFor(channel: Channel): number {
    const v = Number(channel.config.tps);
    return Number.isFinite(v) && v > 0 ? v : this.defaultTps;
  }

  /** Takes a token now if one is available and returns 0; else returns how many ms until one is. */
  tryAcquire(channel: Channel): number {
    const rate = this.rateFor(channel);
    const now = this.clock();
    const b = this.buckets.get(channel.uuid) ?? { tokens: rate, updatedAt: now };
    // refill; the burst is one second's worth of messages
    b.tokens = Math.min(rate, b.tokens + ((now - b.updatedAt) / 1000) * rate);
    b.updatedAt = now;
    this.buckets.set(channel.uuid, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / rate) * 1000);
  }

  /** Waits until the channel may send one more message. */
  async acquire(channel: Channel): Promise<void> {
    for (;;) {
      const wait = this.tryAcquire(channel);
      if (wait === 0) return;
      await this.sleep(wait);
    }
  }
}
