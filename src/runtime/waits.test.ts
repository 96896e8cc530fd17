import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { forEachDatabase } from '../testing/databases.ts';
import { createWorkspace, type Workspace } from '../models/workspaces.ts';
import { createContact } from '../models/contacts.ts';
import { toUrn } from '../models/urns.ts';
import { saveFlow } from '../models/flows.ts';
import { createJobQueue, type JobQueue } from '../jobs/index.ts';
import { startFlow, resumeWithMessage, type RuntimeDeps } from './runner.ts';
import { WAIT_JOB, fireWaitJob, sweepDueWaits, type WaitJob } from './waits.ts';
import { loadResumeState } from './contacts.ts';
import { resumeSessionWithMessage } from './runner.ts';
import { SessionConflictError } from './sessions.ts';
import { sql } from 'kysely';
import type { MessageSink } from './events.ts';

/** Asks a question and waits; a reply goes to "All Responses", no reply within `timeout` seconds to "No Response". */
function questionFlow(uuid: string, timeout: number | null) {
  const n = () => randomUUID();
  const [ask, wait, thanks, slow] = [n(), n(), n(), n()];
  const all = { uuid: n(), name: 'All Responses', exit_uuid: n() };
  const none = { uuid: n(), name: 'No Response', exit_uuid: n() };
  return {
    uuid, name: `Question ${timeout}`, spec_version: '14.4.2', language: 'eng', type: 'messaging', expire_after_minutes: 30, localization: {},
    nodes: [
      { uuid: ask, actions: [{ uuid: n(), type: 'send_msg', text: 'Are you there?' }], exits: [{ uuid: n(), destination_uuid: wait }] },
      { uuid: wait, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Answer', default_category_uuid: all.uuid,
          wait: { type: 'msg', ...(timeout ? { timeout: { seconds: timeout, category_uuid: none.uuid } } : {}) }, cases: [], categories: timeout ? [all, none] : [all] },
        exits: timeout ? [{ uuid: all.exit_uuid, destination_uuid: thanks }, { uuid: none.exit_uuid, destination_uuid: slow }] : [{ uuid: all.exit_uuid, destination_uuid: thanks }] },
      { uuid: thanks, actions: [{ uuid: n(), type: 'send_msg', text: 'Thanks' }], exits: [{ uuid: n() }] },
      { uuid: slow, actions: [{ uuid: n(), type: 'send_msg', text: 'Too slow' }], exits: [{ uuid: n() }] },
    ],
  };
}

async function waitFor(cond: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

forEachDatabase('runtime: wait timeouts and expirations swept from the sessions table', (db) => {
  let ws: Workspace;
  let other: Workspace;
  let jobs: JobQueue;
  let deps: RuntimeDeps;
  const sent: { contactId: number; text: string }[] = [];
  const sink: MessageSink = {
    async queueFlowMessages(_tx, _ws, contactId, events) {
      for (const e of events) if (e.type === 'msg_created') sent.push({ contactId, text: e.msg.text });
    },
  };
  const timed = randomUUID();
  const untimed = randomUUID();
  const otherUntimed = randomUUID();
  let phone = 250788100000;
  const newContact = (w = ws) => db().db.transaction().execute((tx) => createContact(tx, w, null, { urns: [toUrn(`tel:+${++phone}`)] }));
  const runOf = (contactId: number) => db().db.selectFrom('flow_runs').selectAll().where('contact_id', '=', contactId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const sessionOf = (contactId: number) => db().db.selectFrom('flow_sessions').selectAll().where('contact_id', '=', contactId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const versionOf = async (sessionId: number) => (await sql<{ v: string }>`SELECT wait_started_on::text AS v FROM flow_sessions WHERE id = ${sessionId}`.execute(db().db)).rows[0].v;
  const texts = (contactId: number) => sent.filter((s) => s.contactId === contactId).map((s) => s.text);
  const waitJobs = (sessionId: number) => db().db.selectFrom('pgboss.job' as any).select(['data'] as any).where('name' as any, '=', WAIT_JOB)
    .where(({ ref }: any) => ref('data'), '@>' as any, JSON.stringify({ sessionId }) as any).execute() as Promise<{ data: WaitJob }[]>;
  /** A queue that is started but works nothing, to see what a sweep enqueues. */
  let idle: JobQueue;

  before(async () => {
    ws = await createWorkspace(db().db, { name: 'Waits', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
    other = await createWorkspace(db().db, { name: 'Other waits', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
    await db().db.transaction().execute(async (tx) => {
      await saveFlow(tx, ws.id, questionFlow(timed, 1));
      await saveFlow(tx, ws.id, questionFlow(untimed, null));
      await saveFlow(tx, other.id, questionFlow(otherUntimed, null));
    });
    jobs = createJobQueue(db(), { pollingIntervalSeconds: 0.5, sink });
    await jobs.work();
    idle = createJobQueue(db(), { sink });
    await idle.start();
    deps = { db: db().db, sink, jobs };
  });
  after(async () => {
    await jobs?.stop();
    await idle?.stop();
  });

  test('a 1-second timeout fires on time from the session row and routes to the timeout category', async () => {
    const c = await newContact();
    const t0 = Date.now();
    await startFlow(deps, ws, timed, [c.id]);
    const s = await sessionOf(c.id);
    assert.equal(s.status, 'W');
    assert.ok(s.timeout_on, 'timeout recorded');
    assert.deepEqual(await waitJobs(s.id), [], 'nothing is enqueued when the sprint is written');
    await waitFor(async () => (await runOf(c.id)).status === 'C');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 1000, `not before the timeout (${elapsed}ms)`);
    const run = await runOf(c.id);
    assert.equal(run.results.answer.category, 'No Response');
    assert.deepEqual(texts(c.id), ['Are you there?', 'Too slow']);
    const after = await sessionOf(c.id);
    assert.equal(after.status, 'C');
    assert.equal(after.timeout_on, null);
    assert.equal((await waitJobs(s.id)).length, 1, 'handed over once');
  });

  test('a reply before the timeout leaves nothing to sweep; a job for the answered wait does nothing', async () => {
    const c = await newContact();
    await startFlow(deps, ws, timed, [c.id]);
    const s = await sessionOf(c.id);
    const version = await versionOf(s.id);
    await resumeWithMessage(deps, ws, c.id, { uuid: randomUUID(), text: 'yes', urn: `tel:+${phone}`, createdOn: new Date().toISOString() });
    assert.equal((await runOf(c.id)).status, 'C');
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(texts(c.id), ['Are you there?', 'Thanks']);
    assert.equal((await runOf(c.id)).results.answer.category, 'All Responses');
    assert.deepEqual(await waitJobs(s.id), []);
    assert.equal(await fireWaitJob(deps, async () => { throw new Error('must not resume'); }, { orgId: ws.id, contactId: c.id, sessionId: s.id, kind: 'timeout', version }), false);
  });

  test('an expiry that comes due ends the run as expired; a job for another wait or workspace does nothing', async () => {
    const c = await newContact();
    await startFlow(deps, ws, untimed, [c.id]);
    const s = await sessionOf(c.id);
    assert.equal(s.timeout_on, null);
    assert.ok(new Date(s.wait_expires_on!).getTime() > Date.now() + 29 * 60_000, 'the flow expires after 30 minutes');
    const version = await versionOf(s.id);
    const job: WaitJob = { orgId: ws.id, contactId: c.id, sessionId: s.id, kind: 'expiration', version };
    const refuse = async () => { throw new Error('must not resume'); };
    assert.equal(await fireWaitJob(deps, refuse, { ...job, version: '2001-01-01 00:00:00+00' }), false, 'another wait');
    assert.equal(await fireWaitJob(deps, refuse, { ...job, orgId: other.id }), false, 'another workspace');
    // bring the expiry forward: the running workers' sweep finds it
    await db().db.updateTable('flow_sessions').set({ wait_expires_on: new Date(Date.now() - 1000) }).where('id', '=', s.id).execute();
    await waitFor(async () => (await runOf(c.id)).status === 'X');
    assert.notEqual((await sessionOf(c.id)).status, 'W', 'the session no longer waits');
    assert.equal((await db().db.selectFrom('contacts').select('current_flow_id').where('id', '=', c.id).executeTakeFirstOrThrow()).current_flow_id, null);
    assert.deepEqual(texts(c.id), ['Are you there?']);
  });

  test('sweeps hand a due wait over once, even several at the same time, and leave other workspaces to their own jobs', async () => {
    const mine = await newContact();
    const theirs = await newContact(other);
    await jobs.stop(); // nobody fires the jobs: only what the sweeps enqueue is looked at
    try {
      await startFlow({ db: db().db, sink }, ws, untimed, [mine.id]);
      await startFlow({ db: db().db, sink }, other, otherUntimed, [theirs.id]);
      const s1 = await sessionOf(mine.id);
      const s2 = await sessionOf(theirs.id);
      await db().db.updateTable('flow_sessions').set({ wait_expires_on: new Date(Date.now() - 1000) }).where('id', 'in', [s1.id, s2.id]).execute();
      await Promise.all([sweepDueWaits(db().db, idle), sweepDueWaits(db().db, idle), sweepDueWaits(db().db, idle)]);
      await sweepDueWaits(db().db, idle);
      const j1 = await waitJobs(s1.id);
      const j2 = await waitJobs(s2.id);
      assert.equal(j1.length, 1, 'one job for the session');
      assert.deepEqual(j1[0].data, { orgId: ws.id, contactId: mine.id, sessionId: s1.id, kind: 'expiration', version: await versionOf(s1.id) });
      assert.equal(j2.length, 1);
      assert.equal(j2[0].data.orgId, other.id, "the other workspace's session carries its own workspace");
      const leased = await sessionOf(mine.id);
      assert.ok(new Date(leased.wait_expires_on!).getTime() > Date.now() + 5 * 60_000, 'moved a lease ahead while its job runs');
      assert.equal(leased.status, 'W');
    } finally {
      jobs = createJobQueue(db(), { pollingIntervalSeconds: 0.5, sink });
      await jobs.work();
      deps = { db: db().db, sink, jobs };
    }
  });

  test('a wait that cannot be resumed (contact gone) is no longer swept', async () => {
    const c = await newContact();
    await startFlow({ db: db().db, sink }, ws, untimed, [c.id]);
    const s = await sessionOf(c.id);
    const job: WaitJob = { orgId: ws.id, contactId: c.id, sessionId: s.id, kind: 'expiration', version: await versionOf(s.id) };
    assert.equal(await fireWaitJob(deps, async () => false, job), false);
    assert.equal((await sessionOf(c.id)).wait_expires_on, null);
  });

  test('a reply and a timeout resuming the same wait: the second one writes nothing', async () => {
    const c = await newContact();
    await startFlow({ db: db().db, sink }, ws, untimed, [c.id]);
    const state = (await loadResumeState(db().db, ws.id, c.id))!;
    assert.ok(state.waiting?.version);
    const msg = (text: string) => ({ uuid: randomUUID(), text, urn: `tel:+${phone}`, createdOn: new Date().toISOString() });
    assert.equal(await resumeSessionWithMessage({ db: db().db, sink }, ws, state, msg('first')), true);
    const sessionBefore = await sessionOf(c.id);
    const runsBefore = await db().db.selectFrom('flow_runs').select(['status', 'results']).where('contact_id', '=', c.id).execute();
    await assert.rejects(resumeSessionWithMessage({ db: db().db, sink }, ws, state, msg('second')), SessionConflictError);
    assert.deepEqual(await db().db.selectFrom('flow_runs').select(['status', 'results']).where('contact_id', '=', c.id).execute(), runsBefore);
    assert.deepEqual(await sessionOf(c.id), sessionBefore);
    assert.equal((await runOf(c.id)).results.answer.value, 'first');
  });
});
