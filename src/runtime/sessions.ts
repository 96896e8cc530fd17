import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SprintResult } from '../engine/flows/index.ts';

const SESSION_STATUS: Record<string, string> = { waiting: 'W', completed: 'C', interrupted: 'I', expired: 'X', failed: 'F' };
const RUN_STATUS: Record<string, string> = { active: 'A', waiting: 'W', completed: 'C', interrupted: 'I', expired: 'X', failed: 'F' };

export interface PersistedSession {
  id: number;
  status: string;
  /** When a waiting session's wait times out / expires (null when not waiting or no such time). */
  timeoutOn: Date | null;
  expiresOn: Date | null;
}

/**
 * Stores the outcome of a sprint: the session (compacted JSON, status, when its wait times out or
 * expires), every run it touched (status, results, path, whether it got input) and the contact's
 * current flow. Call inside the transaction that applies the sprint's events.
 */
export async function persistSprint(
  tx: Kysely<DB>, orgId: number, contactId: number, result: SprintResult, existingSessionId: number | null, startId: number | null = null,
): Promise<PersistedSession> {
  const session = result.session;
  // Runs keep their full path in flow_runs even though the compacted session drops it.
  const runs = session.runs.map((r) => r.toJSON() as Record<string, any>);
  session.compact();
  const json = session.toJSON();
  const status = SESSION_STATUS[session.status] ?? 'F';

  const flowUuids = [...new Set(runs.map((r) => r.flow.uuid as string))];
  const flows = flowUuids.length
    ? await tx.selectFrom('flows').select(['id', 'uuid']).where('org_id', '=', orgId).where('uuid', 'in', flowUuids).execute()
    : [];
  const flowIds = new Map(flows.map((f) => [f.uuid, f.id]));
  const waitingRun = runs.find((r) => r.status === 'waiting');
  const currentFlowId = status === 'W' && waitingRun ? flowIds.get(waitingRun.flow.uuid) ?? null : null;

  let expiresOn: string | null = null;
  let timeoutOn: Date | null = null;
  for (const e of result.events as any[]) {
    if (e.type === 'msg_wait' || e.type === 'dial_wait') {
      expiresOn = e.expires_on ?? null;
      timeoutOn = e.timeout_seconds ? new Date(Date.parse(e.created_on) + e.timeout_seconds * 1000) : null;
    }
  }
  const waitColumns = status === 'W'
    ? { wait_started_on: sql<string>`clock_timestamp()`, wait_expires_on: expiresOn, timeout_on: timeoutOn }
    : { wait_started_on: null, wait_expires_on: null, timeout_on: null };
  const ended = status === 'W' ? null : sql<string>`clock_timestamp()`;

  let sessionId: number;
  if (existingSessionId) {
    await tx
      .updateTable('flow_sessions')
      .set({ status, output: JSON.stringify(json), current_flow_id: currentFlowId, ended_on: ended, ...waitColumns })
      .where('id', '=', existingSessionId)
      .execute();
    sessionId = existingSessionId;
  } else {
    const row = await tx
      .insertInto('flow_sessions')
      .values({ uuid: session.uuid, org_id: orgId, contact_id: contactId, status, output: JSON.stringify(json), current_flow_id: currentFlowId, ended_on: ended, ...waitColumns })
      .returning('id')
      .executeTakeFirstOrThrow();
    sessionId = row.id;
  }

  for (const r of runs) {
    const flowId = flowIds.get(r.flow.uuid);
    if (flowId === undefined) continue; // a flow deleted since the session started
    // the first run of a session started by a flow start carries the start
    const runStart = startId !== null && r.uuid === runs[0].uuid ? startId : null;
    await sql`INSERT INTO flow_runs (uuid, org_id, flow_id, contact_id, session_id, start_id, status, responded, results, path, created_on, modified_on, exited_on)
      VALUES (${r.uuid}, ${orgId}, ${flowId}, ${contactId}, ${sessionId}, ${runStart}, ${RUN_STATUS[r.status] ?? 'F'}, ${r.had_input === true},
              ${JSON.stringify(r.results ?? {})}, ${JSON.stringify(r.path ?? [])}, ${r.created_on}, ${r.modified_on}, ${r.exited_on ?? null})
      ON CONFLICT (uuid) DO UPDATE SET status = EXCLUDED.status, responded = EXCLUDED.responded, results = EXCLUDED.results,
        path = EXCLUDED.path, modified_on = EXCLUDED.modified_on, exited_on = EXCLUDED.exited_on`.execute(tx);
  }
  await tx.updateTable('contacts').set({ current_flow_id: currentFlowId }).where('org_id', '=', orgId).where('id', '=', contactId).execute();
  return {
    id: sessionId, status,
    timeoutOn: status === 'W' ? timeoutOn : null,
    expiresOn: status === 'W' && expiresOn ? new Date(expiresOn) : null,
  };
}

/** The contact's waiting session, if any: its row and stored JSON. */
export async function findWaitingSession(db: Kysely<DB>, orgId: number, contactId: number) {
  return db
    .selectFrom('flow_sessions')
    .select(['id', 'uuid', 'output', 'status', 'timeout_on', 'wait_expires_on'])
    .where('org_id', '=', orgId)
    .where('contact_id', '=', contactId)
    .where('status', '=', 'W')
    .executeTakeFirst();
}
