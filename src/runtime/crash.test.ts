// Reliability: a worker process is killed (SIGKILL) in the middle of a 10k-recipient broadcast to a
// fake EX provider and started again. Every recipient must end up with exactly one message row and
// exactly one message at the provider: 0 lost, 0 duplicated. A call in flight at the kill cannot be
// known to have reached the provider, so the retry sends the messages of the dead job's claims again
// under the same message id (EX's `id`), which this provider, like any provider offering
// idempotency, de-duplicates on. The test checks that only such messages are ever re-sent, and how
// many were (docs/messaging.md, "Crashes").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { createTestDatabase } from '../testing/databases.ts';
import { createWorkspace } from '../models/workspaces.ts';
import { createChannel } from '../models/channels.ts';
import { insertBroadcast } from '../models/broadcasts.ts';
import { createJobQueue } from '../jobs/index.ts';
import { queueBroadcast } from './broadcasts.ts';
import { CLAIM_WINDOW_MIN } from './sender.ts';
import { waitUntil } from '../testing/msgs.ts';

const N = Number(process.env.CRASH_RECIPIENTS ?? 10_000);
const serverAvailable = await (async () => {
  try {
    const h = await createTestDatabase('postgres');
    await h.destroy();
    return true;
  } catch {
    return false;
  }
})();

test(`SIGKILL of the worker mid-broadcast (${N} recipients): 0 lost, 0 duplicated at an idempotent provider, only claimed messages re-sent`, { skip: !serverAvailable && process.env.CI !== 'true' ? 'no PostgreSQL server' : false, timeout: 600_000 }, async () => {
  const handle = await createTestDatabase('postgres');
  const d = handle.database;
  const url = (d.pool as any).options.connectionString as string;
  // requests per message id; messages delivered (first request of an id) per recipient
  const requestsById = new Map<string, number>();
  const deliveredTo = new Map<string, number>();
  let requests = 0;
  const fake = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const id = form.get('id') ?? '';
      const seen = requestsById.get(id) ?? 0;
      requestsById.set(id, seen + 1);
      // idempotent on the message id: a repeated id is acknowledged again, not delivered again
      if (!seen) deliveredTo.set(form.get('to') ?? '', (deliveredTo.get(form.get('to') ?? '') ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  let worker: ChildProcess | null = null;
  const env = {
    ...process.env, DATABASE_URL: url, RAPIDPRO_JOB_EXPIRE_SECONDS: '10', RAPIDPRO_JOB_MAINTENANCE_SECONDS: '1', LOG_LEVEL: 'error',
  };
  const startWorker = () => {
    const p = spawn(process.execPath, ['bin/rapidpro-ts.js', 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    return p;
  };
  try {
    const ws = await createWorkspace(d.db, { name: 'Crash', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
    await createChannel(d.db, ws, { type: 'EX', name: 'Fake', address: '+250788000000', config: { send_url: `${fakeUrl}/send`, tps: 1000 } });
    const group = await d.db.insertInto('contact_groups').values({ uuid: crypto.randomUUID(), org_id: ws.id, name: 'All', group_type: 'M' }).returning('id').executeTakeFirstOrThrow();
    await sql`INSERT INTO contacts (uuid, org_id, name) SELECT gen_random_uuid(), ${ws.id}, 'C' || i FROM generate_series(1, ${N}) i`.execute(d.db);
    await sql`INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity, priority)
      SELECT ${ws.id}, id, 'tel', '+2507' || lpad(id::text, 8, '0'), 'tel:+2507' || lpad(id::text, 8, '0'), 1000 FROM contacts WHERE org_id = ${ws.id}`.execute(d.db);
    await sql`INSERT INTO contact_groups_contacts (group_id, contact_id) SELECT ${group.id}, id FROM contacts WHERE org_id = ${ws.id}`.execute(d.db);

    // this process only enqueues; the worker process runs the jobs
    const jobs = createJobQueue(d);
    await jobs.start();
    await d.db.transaction().execute(async (tx) => {
      const b = await insertBroadcast(tx, ws.id, {
        translations: { eng: { text: 'Hi @contact.name', attachments: [], quick_replies: [] } }, baseLanguage: 'eng', urns: [], contactIds: [], groupIds: [group.id], userId: null,
      });
      await queueBroadcast(jobs, tx, ws.id, b.id);
    });
    worker = startWorker();
    const delivered = () => requestsById.size;
    await waitUntil(() => delivered() >= N * 0.3, 300_000, '30% delivered');
    worker.kill('SIGKILL');
    await new Promise((r) => worker!.once('exit', r));
    const atKill = delivered();
    // the dead worker's claims: the messages whose provider call may or may not have happened
    const uncertain = new Set((await sql<{ uuid: string }>`
      SELECT m.uuid FROM msg_claims c JOIN msgs m ON m.id = c.msg_id WHERE m.org_id = ${ws.id} AND m.status IN ('Q','E','I')`.execute(d.db)).rows.map((r) => r.uuid));
    worker = startWorker();
    await waitUntil(() => delivered() >= N, 400_000, 'all delivered after restart');
    await new Promise((r) => setTimeout(r, 3000)); // nothing more should arrive
    const rows = await sql<{ n: string; contacts: string; unsent: string }>`
      SELECT count(*) AS n, count(DISTINCT contact_id) AS contacts, count(*) FILTER (WHERE status NOT IN ('W','S','D','R')) AS unsent
      FROM msgs WHERE org_id = ${ws.id}`.execute(d.db);
    const resent = [...requestsById].filter(([, n]) => n > 1).map(([id]) => id);
    console.log(`  killed at ${atKill}/${N} delivered with ${uncertain.size} messages claimed; after restart: ${delivered()} delivered, ${requests} requests, ${resent.length} messages re-sent under their id (de-duplicated by the provider)`);
    assert.equal(Number(rows.rows[0].n), N, 'one message row per recipient');
    assert.equal(Number(rows.rows[0].contacts), N);
    assert.equal(Number(rows.rows[0].unsent), 0, 'every message ends wired');
    assert.equal(delivered(), N, '0 lost');
    assert.equal(deliveredTo.size, N, 'every recipient got a message');
    assert.deepEqual([...new Set(deliveredTo.values())], [1], '0 duplicated: one message per recipient');
    // only messages whose call may have happened are sent again: those the dead worker had claimed
    // (at most 4 send jobs × a claim window of max(2 × 20 calls, CLAIM_WINDOW_MIN))
    assert.deepEqual(resent.filter((id) => !uncertain.has(id)), [], 're-sent only messages claimed at the kill');
    const bound = 4 * Math.max(2 * 20, CLAIM_WINDOW_MIN);
    assert.ok(uncertain.size <= bound, `claimed at the kill ${uncertain.size} ≤ ${bound}`);
    assert.equal(Number((await sql<{ n: string }>`SELECT count(*) AS n FROM msg_claims`.execute(d.db)).rows[0].n), 0, 'no claim left');
    await jobs.stop();
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    fake.closeAllConnections();
    await new Promise((r) => fake.close(r));
    await handle.destroy();
  }
});
