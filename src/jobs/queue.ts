import PgBoss from 'pg-boss';
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import type { DB } from '../db/schema.ts';
import { PREPARE } from '../db/statements.ts';

export type JobHandler<T> = (data: T, meta: { id: string; retryCount: number }) => Promise<void>;

export interface JobSpec<T> {
  name: string;
  handler: JobHandler<T>;
  /** Jobs fetched per poll; each is handled in turn. Fan-out jobs carry a batch of work each. */
  batchSize?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** A job still active after this long is considered dead (its worker crashed) and retried. */
  expireInSeconds?: number;
  /** Polling loops in each worker process (jobs of this queue handled at the same time). */
  concurrency?: number;
}

export interface EnqueueOptions {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: Kysely<DB>;
  startAfter?: Date | number;
  /** Deduplicates jobs with the same key while one is queued or active. */
  singletonKey?: string;
  /** Jobs with a higher priority are fetched first (default 0). */
  priority?: number;
}

/**
 * pg-boss's statements are fixed texts run on every job insert, fetch and completion, so they are
 * prepared once per connection (src/db/statements.ts): measured, a job insert costs PostgreSQL
 * 433 µs of CPU unprepared and 167 µs prepared. None of them picks a partial unique index through a
 * parameter (their ON CONFLICT has no arbiter), so preparing them changes no meaning.
 */
const prepared = (text: string, values: unknown[] | undefined) => (values?.length ? `${PREPARE}${text}` : text);

/** pg-boss speaks to the database through this adapter, so jobs can join our transactions. */
function adapterFor(db: Kysely<DB>): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const r = await db.executeQuery(CompiledQuery.raw(prepared(text, values), values ?? []));
      return { rows: r.rows as any[] };
    },
  };
}

/**
 * Durable jobs on the application database (pg-boss). The embedded server runs the workers in its
 * own process; scaled out, `rapidpro-ts worker` processes run them. Handlers must be idempotent: a
 * job may run twice after a crash.
 */
export class JobQueue {
  private boss: PgBoss;
  private specs = new Map<string, JobSpec<any>>();
  /** This process's polling loops per queue, to wake them when we know work was just committed. */
  private workerIds = new Map<string, string[]>();
  private started = false;
  private periodic: { name: string; seconds: number; task: () => Promise<unknown> }[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private running = new Set<Promise<unknown>>();
  private working = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: { pollingIntervalSeconds?: number } = {},
  ) {
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values: unknown[]) => pool.query(prepared(text, values), values as any[]) as any },
      schema: 'pgboss',
      // Session-level advisory locks and LISTEN are unavailable on the embedded socket; pg-boss
      // polling and its transaction-scoped locks work on both databases.
      supervise: true,
      // how often dead (expired) active jobs are found and retried; pg-boss's default otherwise
      ...(process.env.RAPIDPRO_JOB_MAINTENANCE_SECONDS && { maintenanceIntervalSeconds: Number(process.env.RAPIDPRO_JOB_MAINTENANCE_SECONDS) }),
      schedule: false,
    });
    this.boss.on('error', () => {});
  }

  define<T>(spec: JobSpec<T>): void {
    this.specs.set(spec.name, spec);
  }

  /**
   * A task each working process runs every `seconds` (a sweep for due work that lives in rows, not
   * jobs). Runs never overlap; a failed run is tried again at the next tick.
   */
  every(name: string, seconds: number, task: () => Promise<unknown>): void {
    this.periodic.push({ name, seconds, task });
  }

  private schedule(p: { name: string; seconds: number; task: () => Promise<unknown> }): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.working) return;
      const run = p.task().catch((e) => console.error(`periodic task ${p.name} failed:`, e)).finally(() => {
        this.running.delete(run);
        if (this.working) this.schedule(p);
      });
      this.running.add(run);
    }, p.seconds * 1000);
    timer.unref();
    this.timers.add(timer);
  }

  /** Creates the schema and queues; call before enqueueing. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const spec of this.specs.values()) {
      await this.boss.createQueue(spec.name, {
        name: spec.name,
        retryLimit: spec.retryLimit ?? 5,
        retryDelay: spec.retryDelaySeconds ?? 5,
        retryBackoff: true,
        ...(spec.expireInSeconds !== undefined && { expireInSeconds: spec.expireInSeconds }),
      } as any);
    }
    this.started = true;
  }

  /** Starts polling every defined queue in this process. */
  async work(): Promise<void> {
    await this.start();
    for (const spec of this.specs.values()) {
      for (let i = 0; i < (spec.concurrency ?? 1); i++) {
        let workerId: string | undefined;
        workerId = await this.boss.work(
          spec.name,
          { batchSize: spec.batchSize ?? 1, pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 1 },
          async (jobs) => {
            for (const job of jobs) await spec.handler(job.data, { id: job.id, retryCount: (job as any).retryCount ?? 0 });
            // pg-boss waits out the polling interval after every fetch, even one that found work, which
            // capped a fan-out at one job per loop per interval: while jobs keep coming, fetch again now
            if (jobs.length && workerId) this.boss.notifyWorker(workerId);
          },
        );
        this.workerIds.set(spec.name, [...(this.workerIds.get(spec.name) ?? []), workerId]);
      }
    }
    if (!this.working) {
      this.working = true;
      for (const p of this.periodic) this.schedule(p);
    }
  }

  async enqueue<T extends object>(name: string, data: T, opts: EnqueueOptions = {}): Promise<string | null> {
    if (!this.specs.has(name)) throw new Error(`unknown job queue ${name}`);
    return this.boss.send(name, data, {
      ...(opts.tx && { db: adapterFor(opts.tx) }),
      ...(opts.startAfter !== undefined && { startAfter: opts.startAfter as any }),
      ...(opts.singletonKey && { singletonKey: opts.singletonKey }),
    });
  }

  /** Enqueues many jobs of one queue in a single statement (fan-out), optionally in a transaction. */
  async enqueueMany<T extends object>(name: string, items: T[], opts: Pick<EnqueueOptions, 'tx' | 'startAfter' | 'priority'> = {}): Promise<void> {
    if (!this.specs.has(name)) throw new Error(`unknown job queue ${name}`);
    if (!items.length) return;
    const spec = this.specs.get(name)!;
    const startAfter = opts.startAfter === undefined ? undefined : new Date(typeof opts.startAfter === 'number' ? Date.now() + opts.startAfter * 1000 : opts.startAfter);
    await this.boss.insert(
      items.map((data) => ({
        name, data, retryLimit: spec.retryLimit ?? 5, retryDelay: spec.retryDelaySeconds ?? 5, retryBackoff: true,
        ...(spec.expireInSeconds !== undefined && { expireInSeconds: spec.expireInSeconds }),
        ...(startAfter && { startAfter }),
        ...(opts.priority && { priority: opts.priority }),
      })) as any,
      (opts.tx ? { db: adapterFor(opts.tx) } : {}) as any,
    );
  }

  /**
   * An INSERT of jobs as a SQL fragment, for a caller that writes its rows and their jobs in one
   * statement (a data-modifying CTE) instead of a transaction of several: `data` is a query of one
   * jsonb column, one job per row. The rows are what enqueueMany writes (same queue settings,
   * defaults taken from the queue as pg-boss takes them); queue.test.ts compares the two, so a
   * pg-boss upgrade that changes its table shows up there.
   */
  insertSql(name: string, data: RawBuilder<unknown>, opts: { priority?: number } = {}): RawBuilder<unknown> {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`unknown job queue ${name}`);
    const retryDelay = Math.max(spec.retryDelaySeconds ?? 5, 1); // with backoff pg-boss keeps at least 1 s
    const expire = spec.expireInSeconds !== undefined ? sql`${spec.expireInSeconds}::numeric * interval '1s'`
      : sql`COALESCE(q.expire_seconds * interval '1s', interval '15 minutes')`;
    return sql`INSERT INTO pgboss.job (id, name, data, priority, start_after, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
      SELECT gen_random_uuid(), q.name, d.data, ${opts.priority ?? 0}::int, now(), q.dead_letter, ${expire},
             now() + COALESCE(q.retention_minutes * interval '1 minute', interval '14 days'), ${spec.retryLimit ?? 5}::int, ${retryDelay}::int, true, q.policy
        FROM (${data}) AS d(data) JOIN pgboss.queue q ON q.name = ${name}::text`;
  }

  /**
   * Makes this process's loops of a queue poll now instead of at their next interval: for a caller
   * that has just committed jobs of that queue (pg-boss has no notification of new jobs).
   */
  wake(name: string, jobs = Infinity): void {
    const ids = this.workerIds.get(name) ?? [];
    // round robin, so that repeated small wakes reach every loop
    const n = Math.min(jobs, ids.length);
    for (let i = 0; i < n; i++) this.boss.notifyWorker(ids[(this.wakeTurn++) % ids.length]);
  }
  private wakeTurn = 0;

  async stop(): Promise<void> {
    this.working = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.running);
    this.workerIds.clear();
    if (!this.started) return;
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    this.started = false;
  }
}
