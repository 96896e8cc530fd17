import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SprintResult } from '../engine/flows/index.ts';
import { PREPARE } from '../db/statements.ts';

const SESSION_STATUS: Record<string, string> = { waiting: 'W', completed: 'C', interrupted: 'I', expired: 'X', failed: 'F' };
const RUN_STATUS: Record<string, string> = { active: 'A', waiting: 'W', completed: 'C', interrupted: 'I', expired: 'X', failed: 'F' };

/** One contact's sprint to store: a new session (sessionId null) or one that was resumed. */
export interface SprintToPersist {
  contactId: number;
  result: SprintResult;
  sessionId: number | null;
  /** The flow start whose batch began this session (its first run records it). */
  startId: number | null;
  /** The contact's current flow as loaded, when known: unchanged means no contact update. */
  currentFlowId?: number | null;
  /** The stored incoming message the sprint handled, and the flow to record on it. */
  input?: { msgId: number; flowId: number | null };
  /**
   * For a resumed session: the version of the wait it was resumed from (ResumeState). The session
   * is written only if it still waits in that wait; otherwise SessionConflictError.
   */
  waitVersion?: string | null;
}

export interface PersistOptions {
  /**
   * More data-modifying CTEs for the same statement (written `name AS (...)`, comma-separated),
   * so that a sprint's other writes need no transaction of their own. They may refer to `written`,
   * the ids of the sessions this statement stores: a resumed session that moved on is not among them.
   */
  also?: RawBuilder<unknown>;
}

/**
 * A resumed session had moved on when its sprint was written (another reply, a timeout or an
 * interruption got there first): the caller's transaction must roll back, so nothing of the
 * sprint (its messages, its contact changes) is kept.
 */
export class SessionConflictError extends Error {
  constructor(readonly sessionIds: number[]) {
    super(`flow sessions ${sessionIds.join(', ')} changed while being resumed`);
  }
}

/**
 * Stores the outcome of sprints: each session (compacted JSON, status, when its wait times out or
 * expires), every run it touched (status, results, path, whether it got input), the contact's
 * current flow and the flow of the message a sprint handled. Call inside the transaction that
 * applies the sprints' events. One statement of data-modifying CTEs whatever their number, so a
 * flow start group or a reply costs one round trip here. `flowIds` (uuid → id) saves looking flows
 * up; flows it lacks (one deleted since the session started) are looked up.
 */
export async function persistSprints(
  tx: Kysely<DB>, orgId: number, items: SprintToPersist[], flowIds: Map<string, number> = new Map(), opts: PersistOptions = {},
): Promise<void> {
  if (!items.length) return;
  const prepared = items.map((item) => {
    const session = item.result.session;
    // Runs keep their full path in flow_runs even though the compacted session drops it.
    const runs = session.runs.map((r) => r.toJSON() as Record<string, any>);
    session.compact();
    return { item, session, runs, json: session.toJSON(), status: SESSION_STATUS[session.status] ?? 'F' };
  });

  const missing = [...new Set(prepared.flatMap((p) => p.runs.map((r) => r.flow.uuid as string)))].filter((u) => !flowIds.has(u));
  const ids = new Map(flowIds);
  if (missing.length) {
    for (const f of await tx.selectFrom('flows').select(['id', 'uuid']).where('org_id', '=', orgId).where('uuid', 'in', missing).execute()) ids.set(f.uuid, f.id);
  }

  const sessionRows: object[] = [];
  const runRows: object[] = [];
  for (const { item, session, runs, json, status } of prepared) {
    const waitingRun = runs.find((r) => r.status === 'waiting');
    const currentFlowId = status === 'W' && waitingRun ? ids.get(waitingRun.flow.uuid) ?? null : null;
    let expiresOn: string | null = null;
    let timeoutOn: Date | null = null;
    let timeoutSeconds: number | null = null;
    let lastMsgUuid: string | null = null;
    for (const e of item.result.events as any[]) {
      if (e.type === 'msg_created' && e.msg?.uuid) lastMsgUuid = e.msg.uuid;
      if (e.type === 'msg_wait' || e.type === 'dial_wait') {
        expiresOn = e.expires_on ?? null;
        timeoutSeconds = e.timeout_seconds || null;
        timeoutOn = e.timeout_seconds ? new Date(Date.parse(e.created_on) + e.timeout_seconds * 1000) : null;
      }
    }
    // as mailroom: a timeout that would come after the expiry never fires
    if (timeoutOn && expiresOn && timeoutOn.getTime() > Date.parse(expiresOn)) [timeoutOn, timeoutSeconds] = [null, null];
    const waiting = status === 'W';
    sessionRows.push({
      id: item.sessionId, uuid: session.uuid, contact_id: item.contactId, status, output: json, current_flow_id: currentFlowId,
      wait_expires_on: waiting ? expiresOn : null, timeout_on: waiting ? timeoutOn : null,
      // the timeout restarts when the sprint's last message is sent (sender.ts)
      wait_timeout_seconds: waiting ? timeoutSeconds : null, wait_msg_uuid: waiting && timeoutSeconds ? lastMsgUuid : null,
      contact_changed: item.currentFlowId === undefined || item.currentFlowId !== currentFlowId,
      input_msg_id: item.input?.msgId ?? null, input_flow_id: item.input?.flowId ?? null, wait_version: item.waitVersion ?? null,
    });
    for (const r of runs) {
      const flowId = ids.get(r.flow.uuid);
      if (flowId === undefined) continue; // a flow deleted since the session started
      runRows.push({
        uuid: r.uuid, session_uuid: session.uuid, flow_id: flowId, contact_id: item.contactId,
        // the first run of a session started by a flow start carries the start
        start_id: item.startId !== null && r.uuid === runs[0].uuid ? item.startId : null,
        status: RUN_STATUS[r.status] ?? 'F', responded: r.had_input === true, results: r.results ?? {}, path: r.path ?? [],
        created_on: r.created_on, modified_on: r.modified_on, exited_on: r.exited_on ?? null,
      });
    }
  }

  // the rows each UPDATE touches, as arrays: joined only with the JSON input, whose size the planner
  // cannot see, PostgreSQL would scan whole tables
  const sessionIds = items.flatMap((i) => (i.sessionId !== null ? [i.sessionId] : []));
  const changedContacts = (sessionRows as { contact_id: number; contact_changed: boolean }[]).filter((r) => r.contact_changed).map((r) => r.contact_id);
  const inputMsgIds = items.flatMap((i) => (i.input?.flowId ? [i.input.msgId] : []));
  // prepared (statements.ts): its text is fixed and its only ON CONFLICT names its arbiter
  const saved = await sql<{ id: number }>`${sql.raw(PREPARE)}
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(sessionRows)}::jsonb) AS x(
        id bigint, uuid uuid, contact_id bigint, status text, output jsonb, current_flow_id bigint,
        wait_expires_on timestamptz, timeout_on timestamptz, contact_changed boolean, input_msg_id bigint, input_flow_id bigint,
        wait_version timestamptz, wait_timeout_seconds integer, wait_msg_uuid uuid)
    ),
    inserted AS (
      INSERT INTO flow_sessions (uuid, org_id, contact_id, status, output, current_flow_id, ended_on, wait_started_on, wait_expires_on, timeout_on,
                                 wait_timeout_seconds, wait_msg_uuid)
      SELECT uuid, ${orgId}, contact_id, status, output, current_flow_id,
             CASE WHEN status = 'W' THEN NULL ELSE clock_timestamp() END, CASE WHEN status = 'W' THEN clock_timestamp() END, wait_expires_on, timeout_on,
             wait_timeout_seconds, wait_msg_uuid
      FROM input WHERE id IS NULL
      RETURNING id, uuid
    ),
    updated AS (
      UPDATE flow_sessions s SET status = i.status, output = i.output, current_flow_id = i.current_flow_id,
        ended_on = CASE WHEN i.status = 'W' THEN NULL ELSE clock_timestamp() END,
        wait_started_on = CASE WHEN i.status = 'W' THEN clock_timestamp() END, wait_expires_on = i.wait_expires_on, timeout_on = i.timeout_on,
        wait_timeout_seconds = i.wait_timeout_seconds, wait_msg_uuid = i.wait_msg_uuid
      FROM input i WHERE s.id = ANY(${sessionIds}::bigint[]) AND s.id = i.id
        AND s.status = 'W' AND (i.wait_version IS NULL OR s.wait_started_on = i.wait_version)
      RETURNING s.id, s.uuid
    ),
    sessions AS (SELECT id, uuid FROM inserted UNION ALL SELECT id, uuid FROM updated),
    runs AS (
      INSERT INTO flow_runs (uuid, org_id, flow_id, contact_id, session_id, start_id, status, responded, results, path, created_on, modified_on, exited_on)
      SELECT r.uuid, ${orgId}, r.flow_id, r.contact_id, s.id, r.start_id, r.status, r.responded, r.results, r.path, r.created_on, r.modified_on, r.exited_on
      FROM jsonb_to_recordset(${JSON.stringify(runRows)}::jsonb) AS r(
        uuid uuid, session_uuid uuid, flow_id bigint, contact_id bigint, start_id bigint, status text, responded boolean,
        results jsonb, path jsonb, created_on timestamptz, modified_on timestamptz, exited_on timestamptz)
      JOIN sessions s ON s.uuid = r.session_uuid
      ON CONFLICT (uuid) DO UPDATE SET status = EXCLUDED.status, responded = EXCLUDED.responded, results = EXCLUDED.results,
        path = EXCLUDED.path, modified_on = EXCLUDED.modified_on, exited_on = EXCLUDED.exited_on
    ),
    written AS (SELECT id FROM sessions),
    -- nothing of a resumed session that moved on is written, even outside a transaction
    contacts AS (
      UPDATE contacts c SET current_flow_id = i.current_flow_id FROM input i
      WHERE c.org_id = ${orgId} AND c.id = ANY(${changedContacts}::bigint[]) AND c.id = i.contact_id AND i.contact_changed
        AND (i.id IS NULL OR i.id IN (SELECT id FROM written))
    ),
    handled AS (
      UPDATE msgs m SET flow_id = i.input_flow_id FROM input i
      WHERE m.org_id = ${orgId} AND m.id = ANY(${inputMsgIds}::bigint[]) AND m.id = i.input_msg_id AND i.input_flow_id IS NOT NULL
        AND (i.id IS NULL OR i.id IN (SELECT id FROM written))
    )${opts.also ? sql`, ${opts.also}` : sql``}
    SELECT id::bigint AS id FROM sessions`.execute(tx);
  const written = new Set(saved.rows.map((r) => Number(r.id)));
  const moved = sessionIds.filter((id) => !written.has(Number(id)));
  if (moved.length) throw new SessionConflictError(moved);
}
