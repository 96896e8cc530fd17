import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, type TestWorkspace } from '../../testing/api.ts';
import { conformanceDirIfPresent } from '../../conformance/harness.ts';

/** A small current-spec flow written for these tests: one question with a saved result. */
const COLORS = {
  uuid: '6e5ee3a0-0b0e-4b5b-9f35-2f2cba7f1a01', name: 'Colors', spec_version: '14.4.2', language: 'eng', type: 'messaging',
  expire_after_minutes: 720, localization: {},
  nodes: [
    { uuid: '3a1f9c52-7d4e-4b0a-9d51-1b6a1e0b9f01', actions: [{ uuid: '8c2b1f7e-0d4a-4f4e-9a7b-5c1d2e3f4a01', type: 'send_msg', text: 'What is your favorite color? @parent.results.age' }],
      exits: [{ uuid: '0f6b2c1d-5e4a-4b3c-8d2e-1f0a9b8c7d01', destination_uuid: '4b2e1d0c-9f8a-4e7d-8c6b-5a4f3e2d1c01' }] },
    { uuid: '4b2e1d0c-9f8a-4e7d-8c6b-5a4f3e2d1c01', actions: [],
      router: { type: 'switch', operand: '@input.text', result_name: 'Favorite Color', default_category_uuid: 'c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e03',
        wait: { type: 'msg' },
        cases: [{ uuid: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c01', type: 'has_any_word', arguments: ['red'], category_uuid: 'c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e01' },
                { uuid: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c02', type: 'has_any_word', arguments: ['blue'], category_uuid: 'c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e02' }],
        categories: [{ uuid: 'c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e01', name: 'Red', exit_uuid: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a01' },
                     { uuid: 'c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e02', name: 'Blue', exit_uuid: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a02' },
                     { uuid: 'c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e03', name: 'Other', exit_uuid: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a03' }] },
      exits: [{ uuid: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a01' }, { uuid: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a02' }, { uuid: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a03' }] },
  ],
};

forEachDatabase('flows and definitions endpoints', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
  });
  after(async () => app?.close());

  test('POST a definition creates the flow; GET lists it with results and run counts', async () => {
    const res = await api.post('/api/v2/flows.json', COLORS);
    assert.equal(res.statusCode, 201, res.body);
    const flow = res.json();
    assert.equal(flow.uuid, COLORS.uuid);
    assert.equal(flow.type, 'message');
    assert.equal(flow.expires, 720);
    assert.deepEqual(flow.runs, { active: 0, waiting: 0, completed: 0, interrupted: 0, expired: 0, failed: 0 });
    assert.deepEqual(flow.results, [{ key: 'favorite_color', name: 'Favorite Color', categories: ['Red', 'Blue', 'Other'], node_uuids: ['4b2e1d0c-9f8a-4e7d-8c6b-5a4f3e2d1c01'] }]);
    assert.deepEqual(flow.parent_refs, ['age']);
    const again = await api.post('/api/v2/flows.json', { ...COLORS, name: 'Colours' });
    assert.equal(again.statusCode, 200, 'same UUID updates');
    assert.equal(again.json().name, 'Colours');
    const list = (await api.get('/api/v2/flows.json')).json();
    assert.deepEqual(list.results.map((f: any) => f.name), ['Colours']);
    assert.equal((await api.get(`/api/v2/flows.json?uuid=${COLORS.uuid}`)).json().results.length, 1);
    assert.equal((await api.get('/api/v2/flows.json?type=voice')).json().results.length, 0);
    assert.equal((await api.get('/api/v2/flows.json?type=bogus')).json().results.length, 0);
    assert.equal((await api.get('/api/v2/flows.json?archived=true')).json().results.length, 0);
    assert.equal((await api.get('/api/v2/flows.json?archived=false')).json().results.length, 1);
    assert.equal((await api.get('/api/v2/flows.json?uuid=nope')).statusCode, 400);
  });

  test('invalid definitions are 400s with the engine message', async () => {
    const res = await api.post('/api/v2/flows.json', { ...COLORS, uuid: undefined });
    assert.equal(res.statusCode, 400);
    assert.ok(Array.isArray(res.json().definition), res.body);
    const newer = await api.post('/api/v2/flows.json', { ...COLORS, spec_version: '99.0.0' });
    assert.equal(newer.statusCode, 400);
    assert.match(newer.json().definition[0], /newer than this library/);
    const garbage = await api.post('/api/v2/flows.json', [1, 2]);
    assert.equal(garbage.statusCode, 400);
  });

  test('definitions exports the flow; bad dependencies value is a 400', async () => {
    const res = await api.get(`/api/v2/definitions.json?flow=${COLORS.uuid}&dependencies=none`);
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.version, '13');
    assert.deepEqual(doc.flows.map((f: any) => f.uuid), [COLORS.uuid]);
    assert.equal(doc.flows[0].spec_version, '14.4.2');
    const bad = await api.get('/api/v2/definitions.json?dependencies=some');
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: 'dependencies must be one of none, flows, all' });
    assert.deepEqual((await api.get('/api/v2/definitions.json?flow=garbage')).json().flows, []);
  });

  test('another workspace cannot see or export the flow', async () => {
    const o = api.as(other.admin.token);
    assert.deepEqual((await o.get('/api/v2/flows.json')).json().results, []);
    assert.deepEqual((await o.get(`/api/v2/definitions.json?flow=${COLORS.uuid}`)).json().flows, []);
    // posting the same definition there creates a separate flow with a fresh UUID
    const res = await o.post('/api/v2/flows.json', COLORS);
    assert.equal(res.statusCode, 201);
    assert.notEqual(res.json().uuid, COLORS.uuid);
  });

  test('a legacy-spec runner flow from the conformance data imports and exports at 14.4.2', async (t) => {
    const dir = conformanceDirIfPresent();
    const file = dir && path.join(dir, 'goflow/runner/two_questions.json');
    if (!file || !existsSync(file)) return t.skip('conformance data absent');
    const assets = JSON.parse(readFileSync(file, 'utf8'));
    for (const flow of assets.flows) {
      const res = await api.post('/api/v2/flows.json', flow);
      assert.ok([200, 201].includes(res.statusCode), res.body);
      const exported = (await api.get(`/api/v2/definitions.json?flow=${res.json().uuid}`)).json();
      assert.equal(exported.flows[0].spec_version, '14.4.2');
    }
  });
});
