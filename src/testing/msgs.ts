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
import { ApiClient, makeWorkspace, type TestWorkspace } from './api.ts';
import { startFakeProvider, type FakeProvider } from '../channels/testing.ts';
import { createChannel } from '../models/channels.ts';

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

/**
 * What most end-to-end messaging tests stand on: the app with job workers, a workspace and a
 * second one (for isolation checks), an API client for the first, a fake provider, and an EX
 * channel of the first workspace that sends to it.
 */
export interface MessagingWorld {
  m: Awaited<ReturnType<typeof makeMessagingApp>>;
  ws: TestWorkspace;
  other: TestWorkspace;
  api: ApiClient;
  fake: FakeProvider;
  channelUuid: string;
}

export async function openMessagingWorld(d: Database, channel: { address?: string; country?: string } = {}): Promise<MessagingWorld> {
  const m = await makeMessagingApp(d);
  const ws = await makeWorkspace(d.db);
  const other = await makeWorkspace(d.db);
  const fake = await startFakeProvider({ status: 200, body: 'ok' });
  const { uuid: channelUuid } = await createChannel(d.db, ws.workspace, {
    type: 'EX', name: 'Fake EX', address: channel.address ?? '+250788000000', ...(channel.country && { country: channel.country }),
    config: { send_url: `${fake.url}/send`, method: 'POST' },
  });
  return { m, ws, other, api: new ApiClient(m.app, ws.admin.token), fake, channelUuid };
}

export async function closeMessagingWorld(w: MessagingWorld | undefined): Promise<void> {
  await w?.m.close();
  await w?.fake.close();
}

/** The texts the fake EX provider was asked to send to a number, in order. */
export function sentTexts(fake: FakeProvider, to: string): (string | null)[] {
  return fake.requests.filter((r) => r.form.get('to') === to).map((r) => r.form.get('text'));
}

/** A message from `from` through the EX channel's receive URL; asserts it was accepted. */
export async function exReceive(app: FastifyInstance, channelUuid: string, from: string, text: string): Promise<void> {
  const res = await app.inject({
    method: 'POST', url: `/c/ex/${channelUuid}/receive`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ from, text }).toString(),
  });
  if (res.statusCode !== 200) throw new Error(`receive answered ${res.statusCode}: ${res.body}`);
}
