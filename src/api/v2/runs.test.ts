import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { createContact } from '../../models/contacts.ts';
import { toUrn } from '../../models/urns.ts';
import { saveFlow } from '../../models/flows.ts';
import { startFlow, resumeWithMessage } from '../../runtime/runner.ts';

function colorFlow(uuid: string) {
  const n = () => randomUUID();
  const [q, w] = [n(), n()];
  const red = { uuid: n(), name: 'Red', exit_uuid: n() };
  const other = { uuid: n(), name: 'Other', exit_uuid: n() };
  return {
    uuid, name: 'Color', spec_version: '14.4.2', language: 'eng', type: 'messaging', localization: {},
    nodes: [
      { uuid: q, actions: [{ uuid: n(), type: 'send_msg', text: 'Color?' }], exits: [{ uuid: n(), destination_uuid: w }] },
      { uuid: w, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Color', default_category_uuid: other.uuid, wait: { type: 'msg' },
          cases: [{ uuid: n(), type: 'has_any_word', arguments: ['red'], category_uuid: red.uuid }], categories: [red, other] },
        exits: [{ uuid: red.exit_uuid }, { uuid: other.exit_uuid }] },
    ],
  };
}

forEachDatabase('runs endpoint', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  const flowUuid = randomUUID();
  let waiterUuid: string;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    const d = db().db;
    await d.transaction().execute((tx) => saveFlow(tx, ws.workspace.id, colorFlow(flowUuid)));
    const mk = (phone: string, name: string) => d.transaction().execute((tx) => createContact(tx, ws.workspace, null, { name, urns: [toUrn(`tel:${phone}`)] }));
    const answers = await mk('+250788111111', 'Answers');
    const waiter = await mk('+250788222222', 'Waiter');
    waiterUuid = waiter.uuid;
    await startFlow({ db: d, sink: null }, ws.workspace, flowUuid, [answers.id, waiter.id]);
    await resumeWithMessage({ db: d, sink: null }, ws.workspace, answers.id, { uuid: randomUUID(), text: 'red!', urn: 'tel:+250788111111', createdOn: new Date().toISOString() });
  });
  after(async () => app?.close());

  test('lists runs with values, paths, contact summaries and exit types', async () => {
    const res = await api.get('/api/v2/runs.json');
    assert.equal(res.statusCode, 200, res.body);
    const [latest, older] = res.json().results;
    assert.equal(latest.contact.name, 'Answers', 'most recently modified first');
    assert.equal(latest.exit_type, 'completed');
    assert.equal(latest.responded, true);
    assert.deepEqual(Object.keys(latest.values), ['color']);
    assert.equal(latest.values.color.value, 'red'); // has_any_word keeps the matched word
    assert.equal(latest.values.color.category, 'Red');
    assert.equal(latest.values.color.name, 'Color');
    assert.match(latest.values.color.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    assert.equal(latest.path.length, 2);
    assert.match(latest.path[0].time, /\.\d{6}Z$/);
    assert.deepEqual(latest.contact.urn, 'tel:+250788111111');
    assert.equal(latest.contact.urn_display, '0788 111 111');
    assert.equal(latest.flow.uuid, flowUuid);
    assert.ok(latest.exited_on);
    assert.equal(older.exit_type, null);
    assert.equal(older.exited_on, null);
    assert.deepEqual(older.values, {});
  });

  test('filters: flow, contact, responded, paths, reverse, uuid/id, bad params', async () => {
    assert.equal((await api.get(`/api/v2/runs.json?flow=${flowUuid}`)).json().results.length, 2);
    assert.equal((await api.get(`/api/v2/runs.json?flow=${randomUUID()}`)).json().results.length, 0);
    assert.equal((await api.get(`/api/v2/runs.json?contact=${waiterUuid}`)).json().results[0].contact.name, 'Waiter');
    assert.deepEqual((await api.get('/api/v2/runs.json?responded=TRUE')).json().results.map((r: any) => r.contact.name), ['Answers']);
    assert.equal((await api.get('/api/v2/runs.json?paths=false')).json().results[0].path, null);
    assert.deepEqual((await api.get('/api/v2/runs.json?reverse=1')).json().results.map((r: any) => r.contact.name), ['Waiter', 'Answers']);
    const all = await listAll(api, '/api/v2/runs.json');
    const one = (await api.get(`/api/v2/runs.json?uuid=${all[0].uuid}&id=${all[0].id}`)).json().results;
    assert.equal(one.length, 1);
    assert.equal((await api.get(`/api/v2/runs.json?uuid=${all[0].uuid}&id=${all[1].id}`)).json().results.length, 0);
    const bad = await api.get('/api/v2/runs.json?flow=invalid');
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'flow': invalid is not a valid UUID." });
    assert.deepEqual((await api.get(`/api/v2/runs.json?flow=${flowUuid}&contact=${waiterUuid}`)).json(), { detail: 'You may only specify one of the contact, flow parameters' });
    assert.deepEqual((await api.get('/api/v2/runs.json?id=x')).json(), { detail: 'Value for id must be an integer' });
    assert.equal((await api.get('/api/v2/runs.json?after=garbage')).json().results.length, 0);
  });

  test('another workspace sees no runs', async () => {
    assert.deepEqual((await api.as(other.admin.token).get('/api/v2/runs.json')).json().results, []);
    assert.deepEqual((await api.as(other.admin.token).get(`/api/v2/runs.json?contact=${waiterUuid}`)).json().results, []);
  });
});
