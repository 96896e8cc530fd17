import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeWorkspace, type TestWorkspace } from '../../testing/api.ts';
import { buildServer } from '../server.ts';
import { createJobQueue, type JobQueue } from '../../jobs/index.ts';
import { saveFlow } from '../../models/flows.ts';

/** Saves @trigger.params.first_name as a result, then waits: so params and waiting are both visible. */
function paramsFlow(uuid: string) {
  const n = () => randomUUID();
  const [a, w] = [n(), n()];
  const all = { uuid: n(), name: 'All Responses', exit_uuid: n() };
  return {
    uuid, name: 'Params', spec_version: '14.4.2', language: 'eng', type: 'messaging', localization: {},
    nodes: [
      { uuid: a, actions: [{ uuid: n(), type: 'set_run_result', name: 'Greeting', value: 'Hi @trigger.params.first_name' }], exits: [{ uuid: n(), destination_uuid: w }] },
      { uuid: w, actions: [], router: { type: 'switch', operand: '@input.text', default_category_uuid: all.uuid, wait: { type: 'msg' }, cases: [], categories: [all] }, exits: [{ uuid: all.exit_uuid }] },
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

forEachDatabase('flow_starts endpoint', (db) => {
  let app: FastifyInstance;
  let jobs: JobQueue;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  const flowUuid = randomUUID();
  let contactUuid: string;
  before(async () => {
    jobs = createJobQueue(db(), { pollingIntervalSeconds: 0.5 });
    await jobs.work();
    app = await buildServer({ db: db().db, jobs });
    await app.ready();
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    await db().db.transaction().execute((tx) => saveFlow(tx, ws.workspace.id, paramsFlow(flowUuid)));
    contactUuid = (await api.post('/api/v2/contacts.json', { name: 'Known', urns: ['tel:+250788300001'] })).json().uuid;
  });
  after(async () => {
    await app?.close();
    await jobs?.stop();
  });

  test('a start runs in the background for contacts and new URNs, with params', async () => {
    const res = await api.post('/api/v2/flow_starts.json', { flow: flowUuid, contacts: [contactUuid], urns: ['tel:0788300002'], params: { first_name: 'Bob' } });
    assert.equal(res.statusCode, 201, res.body);
    const start = res.json();
    assert.equal(start.status, 'pending');
    assert.deepEqual(start.progress, { total: -1, started: 0 });
    assert.deepEqual(start.params, { first_name: 'Bob' });
    assert.deepEqual(start.extra, { first_name: 'Bob' });
    assert.equal(start.restart_participants, true);
    assert.equal(start.exclude_active, false);
    assert.equal(start.contacts.length, 2, 'the new URN made a contact');
    await waitFor(async () => (await api.get(`/api/v2/flow_starts.json?uuid=${start.uuid}`)).json().results[0].status === 'completed');
    const done = (await api.get(`/api/v2/flow_starts.json?uuid=${start.uuid}`)).json().results[0];
    assert.deepEqual(done.progress, { total: 2, started: 2 });
    const runs = (await api.get(`/api/v2/runs.json?flow=${flowUuid}`)).json().results;
    assert.equal(runs.length, 2);
    assert.ok(runs.every((r: any) => r.start?.uuid === start.uuid || r.start === null));
    assert.ok(runs.every((r: any) => r.values.greeting.value === 'Hi Bob'));
  });

  test('exclude_active skips contacts waiting in a flow; restart_participants=false skips past participants', async () => {
    const s1 = (await api.post('/api/v2/flow_starts.json', { flow: flowUuid, contacts: [contactUuid], exclude_active: true })).json();
    await waitFor(async () => (await api.get(`/api/v2/flow_starts.json?uuid=${s1.uuid}`)).json().results[0].status === 'completed');
    assert.equal((await api.get(`/api/v2/flow_starts.json?uuid=${s1.uuid}`)).json().results[0].progress.started, 0);
    const s2 = (await api.post('/api/v2/flow_starts.json', { flow: flowUuid, contacts: [contactUuid], restart_participants: false })).json();
    await waitFor(async () => (await api.get(`/api/v2/flow_starts.json?uuid=${s2.uuid}`)).json().results[0].status === 'completed');
    assert.equal((await api.get(`/api/v2/flow_starts.json?uuid=${s2.uuid}`)).json().results[0].progress.started, 0);
  });

  test('validation messages', async () => {
    const cases: [unknown, unknown][] = [
      [{}, { flow: ['This field is required.'] }],
      [{ flow: randomUUID(), contacts: [contactUuid] }, null],
      [{ flow: flowUuid }, { non_field_errors: ['Must specify at least one group, contact or URN'] }],
      [{ flow: flowUuid, contacts: ['nope'] }, { contacts: ['No such object: nope'] }],
      [{ flow: flowUuid, groups: ['Nobody'] }, { groups: ['No such object: Nobody'] }],
      [{ flow: flowUuid, urns: ['tel:12'] }, { urns: { '0': ['Invalid URN: tel:12. Ensure phone numbers contain country codes.'] } }],
      [{ flow: flowUuid, contacts: Array(101).fill(contactUuid) }, { contacts: ['Ensure this field has no more than 100 elements.'] }],
      [{ flow: flowUuid, contacts: [contactUuid], params: [1] }, { params: ['Must be a valid JSON object'] }],
      [{ flow: flowUuid, contacts: [contactUuid], params: { x: 'y'.repeat(10_001) } }, { params: ['Cannot exceed 10,000 characters encoded.'] }],
      [{ flow: flowUuid, contacts: [contactUuid], exclude_active: 'maybe' }, { exclude_active: ['Must be a valid boolean.'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post('/api/v2/flow_starts.json', body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      if (expected) assert.deepEqual(res.json(), expected, JSON.stringify(body));
      else assert.match(JSON.stringify(res.json().flow), /No such object/);
    }
  });

  test('another workspace cannot see or use the start or the flow', async () => {
    const o = api.as(other.admin.token);
    assert.deepEqual((await o.get('/api/v2/flow_starts.json')).json().results, []);
    const res = await o.post('/api/v2/flow_starts.json', { flow: flowUuid, urns: ['tel:+250788300009'] });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { flow: [`No such object: ${flowUuid}`] });
  });
});
