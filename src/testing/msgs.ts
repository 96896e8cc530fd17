import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** A bare contact (optionally with one URN) for message tests. */
export async function makeContact(db: Kysely<DB>, orgId: number, opts: { name?: string | null; urn?: string; status?: string; language?: string | null } = {}): Promise<{ id: number; uuid: string; urnId: number | null }> {
  const c = await db.insertInto('contacts').values({ uuid: randomUUID(), org_id: orgId, name: opts.name ?? null, status: opts.status ?? 'A', language: opts.language ?? null })
    .returning(['id', 'uuid']).executeTakeFirstOrThrow();
  let urnId: number | null = null;
  if (opts.urn) {
    const [scheme, ...rest] = opts.urn.split(':');
    const path = rest.join(':');
    urnId = (await db.insertInto('contact_urns').values({ org_id: orgId, contact_id: c.id, scheme, path, identity: `${scheme}:${path}`, priority: 1000 })
      .returning('id').executeTakeFirstOrThrow()).id;
  }
  return { ...c, urnId };
}

/** Inserts messages directly (incoming handled by default) for a contact; returns their ids. */
export async function makeMsgs(
  db: Kysely<DB>, orgId: number, n: number,
  opts: { contactId?: number; direction?: 'I' | 'O'; status?: string; visibility?: string; text?: string; channelId?: number | null; flowId?: number | null; urnId?: number | null; sentOn?: string } = {},
): Promise<{ id: number; uuid: string }[]> {
  const contactId = opts.contactId ?? (await makeContact(db, orgId)).id;
  const rows = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      uuid: randomUUID(), org_id: orgId, contact_id: contactId, contact_urn_id: opts.urnId ?? null, channel_id: opts.channelId ?? null,
      flow_id: opts.flowId ?? null, direction: opts.direction ?? 'I', status: opts.status ?? (opts.direction === 'O' ? 'Q' : 'H'),
      visibility: opts.visibility ?? 'V', text: opts.text ?? `msg ${i}`, quick_replies: '[]', sent_on: opts.sentOn ?? null,
    });
  }
  if (!rows.length) return [];
  return db.insertInto('msgs').values(rows).returning(['id', 'uuid']).execute();
}

import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/open.ts';
import { buildServer } from '../api/server.ts';
import { createJobQueue } from '../jobs/index.ts';
import type { JobQueue } from '../jobs/queue.ts';

/** An app with a working job queue (workers polling fast), for end-to-end messaging tests. */
export async function makeMessagingApp(d: Database, opts: { work?: boolean } = {}): Promise<{ app: FastifyInstance; jobs: JobQueue; close(): Promise<void> }> {
  const jobs = createJobQueue(d, { pollingIntervalSeconds: 0.5, messaging: { callbackBaseUrl: 'http://127.0.0.1:1' } });
  if (opts.work === false) await jobs.start();
  else await jobs.work();
  const app = await buildServer({ db: d.db, jobs });
  await app.ready();
  return { app, jobs, close: async () => { await app.close(); await jobs.stop(); } };
}

export async function waitUntil(cond: () => Promise<boolean> | boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
