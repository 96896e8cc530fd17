import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { getWorkspace } from '../models/workspaces.ts';
import { START_BATCH_SIZE, START_FLOW_BATCH_JOB, startRecipients, setStartStatus } from '../models/flow-starts.ts';
import { startFlow, type RuntimeDeps } from './runner.ts';

type Enqueue = (name: string, data: object) => Promise<unknown>;

async function loadStart(db: Kysely<DB>, orgId: number, startId: number) {
  return db
    .selectFrom('flow_starts as s')
    .innerJoin('flows as f', 'f.id', 's.flow_id')
    .select(['s.id', 's.status', 's.params', 's.exclude_active', 'f.uuid as flow_uuid', 'f.is_active as flow_active'])
    .where('s.org_id', '=', orgId)
    .where('s.id', '=', startId)
    .executeTakeFirst();
}

/**
 * A start's first job: counts its recipients and fans them out as batch jobs of 500 contacts.
 * Re-running it (after a crash) only enqueues contacts the start has not reached yet.
 */
export async function runFlowStart(deps: RuntimeDeps, enqueue: Enqueue, orgId: number, startId: number): Promise<void> {
  const start = await loadStart(deps.db, orgId, startId);
  if (!start || ['C', 'F', 'I'].includes(start.status)) return;
  if (!start.flow_active) return setStartStatus(deps.db, startId, 'F');
  const recipients = await startRecipients(deps.db, orgId, startId);
  await setStartStatus(deps.db, startId, recipients.length ? 'S' : 'C', recipients.length);
  for (let i = 0; i < recipients.length; i += START_BATCH_SIZE) {
    const contactIds = recipients.slice(i, i + START_BATCH_SIZE);
    await enqueue(START_FLOW_BATCH_JOB, { orgId, startId, contactIds, last: i + START_BATCH_SIZE >= recipients.length });
  }
}

/** Starts one batch of a start's contacts; the last batch completes the start. Idempotent. */
export async function runFlowStartBatch(deps: RuntimeDeps, orgId: number, startId: number, contactIds: number[], last: boolean): Promise<void> {
  const ws = await getWorkspace(deps.db, orgId);
  const start = await loadStart(deps.db, orgId, startId);
  if (!ws || !start || ['C', 'F', 'I'].includes(start.status)) return;
  const done = contactIds.length
    ? new Set((await deps.db.selectFrom('flow_runs').select('contact_id').where('start_id', '=', startId).where('contact_id', 'in', contactIds).execute()).map((r) => r.contact_id))
    : new Set<number>();
  const todo = contactIds.filter((id) => !done.has(id));
  await startFlow(deps, ws, start.flow_uuid, todo, { params: start.params ?? undefined, excludeActive: start.exclude_active, startId });
  if (last) await setStartStatus(deps.db, startId, 'C');
}
