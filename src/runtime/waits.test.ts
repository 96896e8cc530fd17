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
import { WAIT_JOB, fireWaitJob, type WaitJob } from './waits.ts';
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

forEachDatabase('runtime: wait timeouts and expirations from durable jobs', (db) => {
  let ws: Workspace;
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
  let phone = 250788100000;
  const newContact = () => db().db.transaction().execute((tx) => createContact(tx, ws, null, { urns: [toUrn(`tel:+${++phone}`)] }));
  const runOf = (contactId: number) => db().db.selectFrom('flow_runs').selectAll().where('contact_id', '=', contactId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const sessionOf = (contactId: number) => db().db.selectFrom('flow_sessions').selectAll().where('contact_id', '=', contactId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const texts = (contactId: number) => sent.filter((s) => s.contactId === contactId).map((s) => s.text);
  const waitJobs = (sessionId: number) => db().db.selectFrom('pgboss.job' as any).select(['data', 'start_after'] as any).where('name' as any, '=', WAIT_JOB)
    .where(({ ref }: any) => ref('data'), '@>' as any, JSON.stringify({ sessionId }) as any).execute() as Promise<any[]>;

  before(async () => {
    ws = await createWorkspace(db().db, { name: 'Waits', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
    await db().db.transaction().execute(async (tx) => {
      await saveFlow(tx, ws.id, questionFlow(timed, 1));
      await saveFlow(tx, ws.id, questionFlow(untimed, null));
    });
    jobs = createJobQueue(db(), { pollingIntervalSeconds: 0.5, sink });
    await jobs.work();
    deps = { db: db().db, sink, jobs };
  });
  after(async () => {
    await jobs?.stop();
  });

  test('a 1-second timeout fires on time and routes to the timeout category', async () => {
    const c = await newContact();
    const t0 = Date.now();
    await startFlow(deps, ws, timed, [c.id]);
    const s = await sessionOf(c.id);
    assert.equal(s.status, 'W');
    assert.ok(s.timeout_on, 'timeout recorded');
    const scheduled = await waitJobs(s.id);
    assert.deepEqual(scheduled.map((j) => j.data.kind).sort(), ['expiration', 'timeout'], 'both jobs enqueued with the sprint');
    await waitFor(async () => (await runOf(c.id)).status === 'C');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 1000, `not before the timeout (${elapsed}ms)`);
    const run = await runOf(c.id);
    assert.equal(run.results.answer.category, 'No Response');
    assert.deepEqual(texts(c.id), ['Are you there?', 'Too slow']);
    assert.equal((await sessionOf(c.id)).status, 'C');
  });

  test('a reply before the timeout makes the timeout job stale', async () => {
    const c = await newContact();
    await startFlow(deps, ws, timed, [c.id]);
    const s = await sessionOf(c.id);
    await resumeWithMessage(deps, ws, c.id, { uuid: randomUUID(), text: 'yes', urn: `tel:+${phone}`, createdOn: new Date().toISOString() });
    assert.equal((await runOf(c.id)).status, 'C');
    await new Promise((r) => setTimeout(r, 2000));
    assert.deepEqual(texts(c.id), ['Are you there?', 'Thanks']);
    assert.equal((await runOf(c.id)).results.answer.category, 'All Responses');
    // firing it by hand does nothing either
    assert.equal(await fireWaitJob(deps, async () => { throw new Error('must not resume'); }, { orgId: ws.id, contactId: c.id, sessionId: s.id, kind: 'timeout', at: new Date(s.timeout_on!).toISOString() }), false);
  });

  test('an expiry that comes due ends the run as expired; a job for another wait does nothing', async () => {
    const c = await newContact();
    await startFlow(deps, ws, untimed, [c.id]);
    const s = await sessionOf(c.id);
    assert.equal(s.timeout_on, null);
    const expiry = (await waitJobs(s.id)).map((j) => j.data as WaitJob);
    assert.equal(expiry.length, 1);
    assert.equal(expiry[0].kind, 'expiration');
    assert.equal(Date.parse(expiry[0].at), new Date(s.wait_expires_on!).getTime(), 'scheduled at the session expiry');
    assert.ok(Date.parse(expiry[0].at) > Date.now() + 29 * 60_000, 'the flow expires after 30 minutes');
    // a job for a different expiry time is stale
    assert.equal(await fireWaitJob(deps, async () => true, { ...expiry[0], at: new Date().toISOString() }), false);
    // bring the expiry forward and schedule it, as the sprint would have
    const due = new Date(Date.now() + 500);
    await db().db.updateTable('flow_sessions').set({ wait_expires_on: due }).where('id', '=', s.id).execute();
    await jobs.enqueue(WAIT_JOB, { ...expiry[0], at: due.toISOString() } satisfies WaitJob, { startAfter: due });
    await waitFor(async () => (await runOf(c.id)).status === 'X');
    assert.notEqual((await sessionOf(c.id)).status, 'W', 'the session no longer waits');
    assert.equal((await db().db.selectFrom('contacts').select('current_flow_id').where('id', '=', c.id).executeTakeFirstOrThrow()).current_flow_id, null);
    assert.deepEqual(texts(c.id), ['Are you there?']);
  });
});
