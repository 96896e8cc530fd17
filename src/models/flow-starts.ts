import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export const START_STATUS: Record<string, string> = { P: 'pending', Q: 'queued', S: 'started', C: 'completed', F: 'failed', I: 'interrupted' };
export const START_FLOW_JOB = 'start_flow';
export const START_FLOW_BATCH_JOB = 'start_flow_batch';
export const START_BATCH_SIZE = 500;

export interface NewFlowStart {
  flowId: number;
  groupIds: number[];
  contactIds: number[];
  params: Record<string, unknown> | null;
  restartParticipants: boolean;
  excludeActive: boolean;
  startType: 'A' | 'Z' | 'M';
  userId: number | null;
}

/** Creates a start with its recipients and enqueues its job in the same transaction. */
export async function createFlowStart(
  tx: Kysely<DB>,
  orgId: number,
  input: NewFlowStart,
  enqueue: ((name: string, data: object, opts: { tx: Kysely<DB> }) => Promise<unknown>) | null,
) {
  const start = await tx
    .insertInto('flow_starts')
    .values({
      uuid: randomUUID(), org_id: orgId, flow_id: input.flowId, start_type: input.startType, status: 'P',
      params: input.params ? JSON.stringify(input.params) : undefined, restart_participants: input.restartParticipants,
      exclude_active: input.excludeActive, created_by_id: input.userId,
    })
    .returning(['id', 'uuid'])
    .executeTakeFirstOrThrow();
  if (input.groupIds.length) await tx.insertInto('flow_start_groups').values(input.groupIds.map((group_id) => ({ start_id: start.id, group_id }))).execute();
  const contacts = [...new Set(input.contactIds)];
  if (contacts.length) await tx.insertInto('flow_start_contacts').values(contacts.map((contact_id) => ({ start_id: start.id, contact_id }))).execute();
  if (enqueue) await enqueue(START_FLOW_JOB, { orgId, startId: start.id }, { tx });
  return start;
}

/**
 * The contacts a start reaches: members of its groups and its contacts, active only, minus those
 * already started by it (so a re-run job never starts anyone twice), those in any flow when
 * exclude_active, and those who ever ran the flow when restart_participants is false.
 */
export async function startRecipients(db: Kysely<DB>, orgId: number, startId: number): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    WITH s AS (SELECT * FROM flow_starts WHERE id = ${startId} AND org_id = ${orgId}),
    r AS (
      SELECT gc.contact_id AS id FROM flow_start_groups g JOIN contact_groups_contacts gc ON gc.group_id = g.group_id WHERE g.start_id = ${startId}
      UNION
      SELECT contact_id FROM flow_start_contacts WHERE start_id = ${startId}
    )
    SELECT c.id FROM r JOIN contacts c ON c.id = r.id, s
    WHERE c.org_id = ${orgId} AND c.is_active AND c.status = 'A'
      AND NOT EXISTS (SELECT 1 FROM flow_runs fr WHERE fr.start_id = s.id AND fr.contact_id = c.id)
      AND (NOT s.exclude_active OR NOT EXISTS (SELECT 1 FROM flow_sessions fs WHERE fs.contact_id = c.id AND fs.status = 'W'))
      AND (s.restart_participants OR NOT EXISTS (SELECT 1 FROM flow_runs fr WHERE fr.flow_id = s.flow_id AND fr.contact_id = c.id))
    ORDER BY c.id`.execute(db);
  return rows.rows.map((r) => r.id);
}

export async function setStartStatus(db: Kysely<DB>, startId: number, status: keyof typeof START_STATUS, contactCount?: number): Promise<void> {
  await db
    .updateTable('flow_starts')
    .set({ status, modified_on: sql`clock_timestamp()`, ...(contactCount !== undefined ? { contact_count: contactCount } : {}) })
    .where('id', '=', startId)
    .execute();
}
