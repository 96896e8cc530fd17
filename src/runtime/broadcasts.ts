// Broadcast expansion (engine.md §5.1): one job resolves the recipients and fans out one job per
// batch of contacts; each batch job evaluates the content per contact, creates the messages with one
// bulk INSERT and, in the same transaction, queues one send job per channel. Both jobs can run twice.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { getWorkspace, type Workspace } from '../models/workspaces.ts';
import { contentForContact, type Translation } from '../models/broadcasts.ts';
import { activeChannels, chooseRoute, insertOutgoing, urnsOfContacts, type NewOutgoing } from '../models/msgs.ts';
import { toUrn } from '../models/urns.ts';
import { readAssets } from '../engine/flows/assets.ts';
import { Contact } from '../engine/flows/core/contact.ts';
import { broadcastContext, renderForContact } from './context.ts';
import { workspaceEnvironment } from './environment.ts';
import { loadAssets } from './assets.ts';
import { loadEngineContacts } from './contacts.ts';
import { getOrCreateContactsByUrns } from './urn-contacts.ts';
import { queueSendJobs } from './sender.ts';

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
}

/** Creates the messages of one batch of contacts and queues their sending. */
export async function runBroadcastBatch(db: Kysely<DB>, jobs: JobQueue, job: BroadcastBatchJob): Promise<void> {
  const { orgId, broadcastId, batchNo, contactIds } = job;
  const ws = await getWorkspace(db, orgId);
  if (!ws) return;
  const b = await db.selectFrom('broadcasts').select(['status', 'translations', 'base_language', 'created_by_id'])
    .where('org_id', '=', orgId).where('id', '=', broadcastId).executeTakeFirst();
  if (!b || b.status === 'I' || b.status === 'F') return;
  const done = await db.selectFrom('broadcast_batches').select('batch_no').where('broadcast_id', '=', broadcastId).where('batch_no', '=', batchNo).executeTakeFirst();
  if (done) return;

  const msgs = await buildBatchMessages(db, ws, b.translations as Record<string, Translation>, b.base_language, contactIds);
  await db.transaction().execute(async (tx) => {
    // the batch marker is the idempotency key: a second run of the batch stops here
    const marked = await tx.insertInto('broadcast_batches').values({ broadcast_id: broadcastId, batch_no: batchNo }).onConflict((oc) => oc.doNothing()).returning('batch_no').executeTakeFirst();
    if (!marked) return;
    const created = await insertOutgoing(tx, orgId, msgs, { broadcastId, userId: b.created_by_id });
    await queueSendJobs(jobs, tx, orgId, created);
    // last: the broadcast row is shared by every batch, so its lock is held only until commit
    await sql`
      UPDATE broadcasts SET msg_count = msg_count + ${created.length}, batches_done = batches_done + 1,
        status = CASE WHEN status IN ('I','F') THEN status WHEN batches_done + 1 >= batch_count THEN 'C' ELSE 'S' END,
        modified_on = clock_timestamp()
      WHERE id = ${broadcastId}`.execute(tx);
  });
}

/** Content, template evaluation and route for each contact of a batch (a fixed number of queries). */
async function buildBatchMessages(
  db: Kysely<DB>, ws: Workspace, translations: Record<string, Translation>, baseLanguage: string, contactIds: number[],
): Promise<NewOutgoing[]> {
  const needsContext = Object.values(translations).some((t) =>
    (t.text ?? '').includes('@') || t.attachments.some((a) => a.includes('@')) || t.quick_replies.some((q) => (q.text ?? '').includes('@')));
  const [contacts, urns, channels] = await Promise.all([
    db.selectFrom('contacts').select(['id', 'uuid', 'name', 'language', 'status', 'created_on', 'last_seen_on'])
      .where('org_id', '=', ws.id).where('id', 'in', contactIds).where('is_active', '=', true).orderBy('id').execute(),
    urnsOfContacts(db, ws.id, contactIds),
    activeChannels(db, ws.id),
  ]);
  let ctxFor: ((c: (typeof contacts)[number]) => ReturnType<typeof broadcastContext>) | null = null;
  const env = workspaceEnvironment(ws);
  if (needsContext) {
    const [assets, engineContacts] = await Promise.all([loadAssets(db, ws.id).then((a) => readAssets(a)), loadEngineContacts(db, ws.id, contactIds)]);
    ctxFor = (c) => broadcastContext(Contact.read(engineContacts.get(c.id), assets), assets, env);
  }
  const out: NewOutgoing[] = [];
  for (const c of contacts) {
    const content = contentForContact(translations, baseLanguage, c.language, ws.languages);
    let { text, attachments, quickReplies } = content;
    if (ctxFor) {
      const ctx = ctxFor(c);
      text = renderForContact(text, ctx, env);
      attachments = attachments.map((a) => renderForContact(a, ctx, env)).filter((a) => a.includes(':'));
      quickReplies = quickReplies.map((q) => ({ ...q, ...(q.text !== undefined && { text: renderForContact(q.text, ctx, env) }) }));
    }
    if (!text && !attachments.length) continue; // empty content: no message
    const route = chooseRoute(urns.get(c.id) ?? [], channels);
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
