// Creating a broadcast's messages takes precedence over sending them, within a process
// (docs/messaging.md, "Fan-out before delivery"). Both compete for the same CPU — this process's
// event loop and the database — and a message row that exists is durable progress that sending
// depends on, while a provider call can wait a moment. So while broadcast batch jobs run in this
// process, its bulk send jobs together keep only a few provider calls in flight instead of each its
// full concurrency: delivery goes on from the first batch (slower while CPU is short), and returns to
// full speed the moment the last batch job ends. Flow messages (a contact waiting for a reply) are
// never slowed: their send jobs are marked `priority`, fetched first and run at full concurrency.

/** Provider calls in flight for all bulk send jobs of this process together while batch jobs run here. */
export const FANOUT_SEND_CALLS = Math.max(1, Number(process.env.RAPIDPRO_SEND_CALLS_DURING_FANOUT ?? 8));

/**
 * Fan-out counts as over only this long after its last job ended: batch jobs follow each other with
 * a fetch in between, and sends must not burst to full concurrency in every such gap.
 */
const FANOUT_GRACE_MS = 200;

class SendPriority {
  private batches = 0;
  private grace: NodeJS.Timeout | null = null;
  private bulkCalls = 0;
  private readonly listeners = new Set<() => void>();

  /** Whether batch jobs (creating messages) run in this process. */
  get fanout(): boolean {
    return this.batches > 0 || this.grace !== null;
  }

  /** Runs a fan-out job (creating messages), counted for as long as it runs. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.batches++;
    if (this.grace) clearTimeout(this.grace);
    this.grace = null;
    try {
      return await work();
    } finally {
      if (--this.batches === 0) {
        this.grace = setTimeout(() => {
          this.grace = null;
          this.changed();
        }, FANOUT_GRACE_MS);
        // a process with nothing else to do must not stay alive for this
        this.grace.unref();
      }
    }
  }

  /** Whether a send job may start one more provider call now. */
  mayCall(priority: boolean): boolean {
    return priority || !this.fanout || this.bulkCalls < FANOUT_SEND_CALLS;
  }

  /** Counts a call from its start to its end (`mayCall` first). */
  async call<T>(priority: boolean, work: () => Promise<T>): Promise<T> {
    if (priority) return work();
    this.bulkCalls++;
    try {
      return await work();
    } finally {
      this.bulkCalls--;
      if (this.fanout) this.changed();
    }
  }

  /** `listener` runs whenever a held-back call may now start (a call ended, fan-out ended); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** This process's balance between creating messages and sending them. */
export const sendPriority = new SendPriority();
