// Broadcast expansion (engine.md §5.1): one job resolves the recipients and fans out one job per
// batch of contacts; each batch job evaluates the content per contact, creates the messages with one
// bulk INSERT and, in the same transaction, queues one send job per channel. Both jobs can run twice.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { getWorkspace, type Workspace } from '../models/workspaces.ts';
import { contentForContact, insertBroadcastBatch, type Translation } from '../models/broadcasts.ts';
import { activeChannels, channelRouter, urnsOfContacts, type NewOutgoing } from '../models/msgs.ts';
import { toUrn } from '../models/urns.ts';
import { readAssets, type SessionAssets } from '../engine/flows/assets.ts';
import { Contact } from '../engine/flows/core/contact.ts';
import { broadcastContext, renderForContact } from './context.ts';
import { workspaceEnvironment } from './environment.ts';
import { loadAssets } from './assets.ts';
import { loadEngineContacts } from './contacts.ts';
import { getOrCreateContactsByUrns } from './urn-contacts.ts';
import { SEND_JOB, queueSendJobs } from './sender.ts';

export const BROADCAST_JOB = 'broadcast.send';
export const BROADCAST_BATCH_JOB = 'broadcast.batch';

/** Contacts per batch job (one bulk insert each). */
export const BROADCAST_BATCH_SIZE = Number(process.env.RAPIDPRO_BROADCAST_BATCH ?? 500);

export interface BroadcastJob { orgId: number; broadcastId: number }
export interface BroadcastBatchJob { orgId: number; broadcastId: number; batchNo: number; contactIds: number[] }

/** Queues the expansion of a new broadcast, in the transaction that created it. */
export async function queueBroadcast(jobs: JobQueue | undefined, tx: Kysely<DB>, orgId: number, broadcastId: number): Promise<void> {
  if (!jobs) return;
  await jobs.enqueue<BroadcastJob>(BROADCAST_JOB, { orgId, broadcastId }, { tx, singletonKey: `broadcast:${broadcastId}` });
}

/** Resolves recipients (URNs get-or-create, contacts, group members), de-duplicates and fans out. */
export async function expandBroadcast(db: Kysely<DB>, jobs: JobQueue, { orgId, broadcastId }: BroadcastJob): Promise<void> {
  const ws = await getWorkspace(db, orgId);
  if (!ws) return;
  await db.transaction().execute(async (tx) => {
    const b = await tx.selectFrom('broadcasts').select(['id', 'status', 'urns']).where('org_id', '=', orgId).where('id', '=', broadcastId).forUpdate().executeTakeFirst();
    if (!b || b.status !== 'P') return; // already expanded (job ran twice) or interrupted
    const ids = new Set<number>();
    if (b.urns.length) {
      const owners = await getOrCreateContactsByUrns(tx, ws, b.urns.map(toUrn));
      for (const o of owners) ids.add(o.contact.id);
    }
    // explicit contacts are not filtered by status (blocked ones get a failed message); group
    // members are limited to active contacts
    const rows = await sql<{ id: number }>`
      SELECT c.id FROM broadcasts_contacts bc JOIN contacts c ON c.id = bc.contact_id
      WHERE bc.broadcast_id = ${broadcastId} AND c.org_id = ${orgId} AND c.is_active
      UNION
      SELECT c.id FROM broadcasts_groups bg JOIN contact_groups_contacts gc ON gc.group_id = bg.group_id JOIN contacts c ON c.id = gc.contact_id
      WHERE bg.broadcast_id = ${broadcastId} AND c.org_id = ${orgId} AND c.is_active AND c.status = 'A'`.execute(tx);
    for (const r of rows.rows) ids.add(r.id);
    const all = [...ids].sort((a, b2) => a - b2);
    const batches: BroadcastBatchJob[] = [];
    for (let i = 0; i < all.length; i += BROADCAST_BATCH_SIZE) {
      batches.push({ orgId, broadcastId, batchNo: batches.length, contactIds: all.slice(i, i + BROADCAST_BATCH_SIZE) });
    }
    await tx
      .updateTable('broadcasts')
      .set({ status: all.length ? 'Q' : 'C', contact_count: all.length, batch_count: batches.length, modified_on: sql`clock_timestamp()` })
      .where('id', '=', broadcastId)
      .execute();
    await jobs.enqueueMany(BROADCAST_BATCH_JOB, batches, { tx });
  });
  jobs.wake(BROADCAST_BATCH_JOB);
}

/**
 * What every batch of a broadcast shares: its workspace, channels and (when the content has
 * expressions) the workspace's assets, read once per broadcast and process and kept for
 * PLAN_TTL_MS, so a change to a channel or workspace applies to the batches that start after that.
 */
interface BroadcastPlan {
  ws: Workspace;
  env: ReturnType<typeof workspaceEnvironment>;
  router: ReturnType<typeof channelRouter>;
  assets: SessionAssets | null;
  expires: number;
}

const PLAN_TTL_MS = 10_000;
/** Per database handle: tests and benchmarks open several databases in one process, with the same ids. */
const plans = new WeakMap<Kysely<DB>, Map<number, Promise<BroadcastPlan | null>>>();

function broadcastPlan(db: Kysely<DB>, orgId: number, broadcastId: number, needsContext: boolean): Promise<BroadcastPlan | null> {
  let cache = plans.get(db);
  if (!cache) plans.set(db, (cache = new Map()));
  const now = Date.now();
  for (const [id, p] of cache) {
    // drop expired plans (and failed loads) now and then
    void p.then((v) => { if (!v || v.expires <= now) cache.delete(id); }, () => cache.delete(id));
  }
  let plan = cache.get(broadcastId);
  if (!plan) {
    plan = (async () => {
      const ws = await getWorkspace(db, orgId);
      if (!ws) return null;
      const [channels, assets] = await Promise.all([
        activeChannels(db, orgId),
        needsContext ? loadAssets(db, orgId).then((a) => readAssets(a)) : null,
      ]);
      return { ws, env: workspaceEnvironment(ws), router: channelRouter(channels), assets, expires: Date.now() + PLAN_TTL_MS };
    })();
    cache.set(broadcastId, plan);
  }
  return plan;
}

/** Creates the messages of one batch of contacts and queues their sending. */
export async function runBroadcastBatch(db: Kysely<DB>, jobs: JobQueue, job: BroadcastBatchJob): Promise<void> {
  const { orgId, broadcastId, batchNo, contactIds } = job;
  const b = (await sql<{ status: string; translations: Record<string, Translation>; base_language: string; created_by_id: number | null; done: boolean }>`
    SELECT b.status, b.translations, b.base_language, b.created_by_id,
      EXISTS (SELECT 1 FROM broadcast_batches bb WHERE bb.broadcast_id = b.id AND bb.batch_no = ${batchNo}) AS done
    FROM broadcasts b WHERE b.org_id = ${orgId} AND b.id = ${broadcastId}`.execute(db)).rows[0];
  if (!b || b.status === 'I' || b.status === 'F' || b.done) return;
  const translations = b.translations;
  const needsContext = Object.values(translations).some((t) =>
    (t.text ?? '').includes('@') || t.attachments.some((a) => a.includes('@')) || t.quick_replies.some((q) => (q.text ?? '').includes('@')));
  const plan = await broadcastPlan(db, orgId, broadcastId, needsContext);
  if (!plan) return;

  const msgs = await buildBatchMessages(db, plan, translations, b.base_language, contactIds);
  const sendJobs = await db.transaction().execute(async (tx) => {
    // marker, messages and progress in one statement; a second run of the batch stops here
    const created = await insertBroadcastBatch(tx, orgId, broadcastId, batchNo, msgs, b.created_by_id);
    return created ? queueSendJobs(jobs, tx, orgId, created) : 0;
  });
  if (sendJobs) jobs.wake(SEND_JOB, sendJobs);
}

/** Content, template evaluation and route for each contact of a batch (two or three queries). */
async function buildBatchMessages(
  db: Kysely<DB>, plan: BroadcastPlan, translations: Record<string, Translation>, baseLanguage: string, contactIds: number[],
): Promise<NewOutgoing[]> {
  const { ws, env, router, assets } = plan;
  const [contacts, urns, engineContacts] = await Promise.all([
    db.selectFrom('contacts').select(['id', 'language', 'status'])
      .where('org_id', '=', ws.id).where('id', 'in', contactIds).where('is_active', '=', true).orderBy('id').execute(),
    urnsOfContacts(db, ws.id, contactIds),
    assets ? loadEngineContacts(db, ws.id, contactIds) : null,
  ]);
  // the content per contact language, picked once
  const contents = new Map<string | null, ReturnType<typeof contentForContact>>();
  const out: NewOutgoing[] = [];
  for (const c of contacts) {
    let content = contents.get(c.language);
    if (!content) contents.set(c.language, (content = contentForContact(translations, baseLanguage, c.language, ws.languages)));
    let { text, attachments, quickReplies } = content;
    if (assets && engineContacts) {
      const ctx = broadcastContext(Contact.read(engineContacts.get(c.id), assets), assets, env);
      text = renderForContact(text, ctx, env);
      attachments = attachments.map((a) => renderForContact(a, ctx, env)).filter((a) => a.includes(':'));
      quickReplies = quickReplies.map((q) => ({ ...q, ...(q.text !== undefined && { text: renderForContact(q.text, ctx, env) }) }));
    }
    if (!text && !attachments.length) continue; // empty content: no message
    const route = router.route(urns.get(c.id) ?? []);
    const inactive = c.status !== 'A';
    out.push({
      contactId: c.id,
      urnId: route?.urn.id ?? null,
      channelId: inactive ? null : route?.channel.id ?? null,
      text, attachments, quickReplies,
      status: route && !inactive && !ws.isSuspended ? 'Q' : 'F',
      failedReason: ws.isSuspended ? 'S' : inactive ? 'C' : route ? null : 'D',
    });
  }
  return out;
}
