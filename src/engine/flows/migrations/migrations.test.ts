import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_MESSAGE, conformanceDirIfPresent } from '../../../conformance/harness.ts';
import { sets } from './conformance.ts';
import {
  CURRENT_SPEC_VERSION, FlowMigrationError, InvalidFlowDefinitionError, LegacyMigrationError,
  UnsupportedSpecVersionError, isLegacyDefinition, migrateFlow,
} from './index.ts';

const FLOW_UUID = '76f0a02f-3b75-4b86-9064-e9195e1b3a02';

function counter(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

describe('migrateFlow', () => {
  test('brings a 13.0.0 flow to the current version, defaulting its language to und', () => {
    const migrated = migrateFlow({ uuid: FLOW_UUID, name: 'Empty Flow', spec_version: '13.0.0' });
    assert.deepEqual(migrated, { uuid: FLOW_UUID, name: 'Empty Flow', spec_version: CURRENT_SPEC_VERSION, language: 'und' });
    assert.equal(CURRENT_SPEC_VERSION, '14.4.2');
  });

  test('accepts JSON text and never mutates its input', () => {
    const original = { uuid: FLOW_UUID, name: 'F', spec_version: '13.0.0', language: 'base', type: 'messaging', nodes: [] };
    const copy = structuredClone(original);
    migrateFlow(original);
    assert.deepEqual(original, copy);
    assert.equal(migrateFlow(JSON.stringify(original)).language, 'und');
  });

  test('a current flow is returned unchanged', () => {
    const flow = { uuid: FLOW_UUID, name: 'F', spec_version: '14.4.2', language: 'eng', type: 'messaging', nodes: [] };
    assert.equal(migrateFlow(flow), flow, 'no copy is made when nothing changes');
    assert.deepEqual(flow, { uuid: FLOW_UUID, name: 'F', spec_version: '14.4.2', language: 'eng', type: 'messaging', nodes: [] });
  });

  test('converts a legacy flow all the way to the current version', () => {
    const migrated = migrateFlow({
      base_language: 'eng', entry: '10e483a8-5ffb-4c4f-917b-d43ce86c1d65', flow_type: 'M', action_sets: [],
      metadata: { uuid: '50c3706e-fedb-42c0-8eab-dda3335714b7', name: 'Test Flow' },
    });
    assert.deepEqual(migrated, {
      uuid: '50c3706e-fedb-42c0-8eab-dda3335714b7', name: 'Test Flow', spec_version: '14.4.2', language: 'eng',
      type: 'messaging', expire_after_minutes: 0, revision: 0, localization: {}, nodes: [], _ui: { nodes: {}, stickies: {} },
    });
  });

  test('generated UUIDs come from the injected source', () => {
    const migrated = migrateFlow({
      uuid: FLOW_UUID, name: 'T', spec_version: '13.0.0', language: 'eng', type: 'messaging',
      nodes: [{ uuid: '365293c7-633c-45bd-96b7-0b059766588d', exits: [{ uuid: 'b6f4caf3-ec99-44d5-a40c-8600ac0e2eac' }],
        actions: [{ uuid: '8eebd020-1af5-431c-b943-aa670fc74da9', type: 'send_msg', text: 'Hi',
          templating: { template: { uuid: '3ce100b7-a734-4b4e-891b-350b1279ade2', name: 'x' }, variables: ['@contact.name'] } }] }],
    }, { newUUID: counter() }) as { nodes: { actions: Record<string, unknown>[] }[] };
    const action = migrated.nodes[0].actions[0];
    assert.deepEqual(action.template_variables, ['@contact.name']);
    assert.equal(action.templating, undefined);
  });

  test('rejects garbage with typed errors, never a crash', () => {
    for (const bad of [null, 42, 'not json', '[]', [], true]) {
      assert.throws(() => migrateFlow(bad), InvalidFlowDefinitionError, `input ${JSON.stringify(bad)}`);
    }
    assert.throws(() => migrateFlow({}), {
      name: 'InvalidFlowDefinitionError',
      message: "unable to read flow header: field 'uuid' is required, field 'name' is required, field 'spec_version' is required",
    });
    assert.throws(() => migrateFlow({ uuid: 'nope', name: 'x', spec_version: 'banana' }), /must be a valid UUID, field 'spec_version' is not a valid version/);
    assert.throws(() => migrateFlow({ uuid: FLOW_UUID, name: 'x', spec_version: '13.0.0', nodes: [() => 1] }), /isn't plain JSON/);
    // odd shapes inside a flow are tolerated by the migrations themselves
    const odd = migrateFlow({ uuid: FLOW_UUID, name: 'x', spec_version: '13.0.0', nodes: [null, 3, { actions: 'x', router: [] }], localization: 7 });
    assert.equal(odd.spec_version, '14.4.2');
  });

  test('rejects definitions newer than this library', () => {
    assert.throws(() => migrateFlow({ uuid: FLOW_UUID, name: 'x', spec_version: '14.5.0' }), {
      name: 'UnsupportedSpecVersionError', message: 'spec version 14.5.0 is newer than this library (14.4.2)',
    });
    assert.throws(() => migrateFlow({ uuid: FLOW_UUID, name: 'x', spec_version: '15.0.0' }), UnsupportedSpecVersionError);
    // a newer patch of the current minor version is still readable
    assert.equal(migrateFlow({ uuid: FLOW_UUID, name: 'x', spec_version: '14.4.3' }).spec_version, '14.4.3');
  });

  test('legacy definitions that cannot be converted give a LegacyMigrationError', () => {
    const legacy = { flow_type: 'F', base_language: 'eng', metadata: { uuid: FLOW_UUID, name: 'L' },
      action_sets: [{ uuid: '10e483a8-5ffb-4c4f-917b-d43ce86c1d65', exit_uuid: 'cfcf5cef-49f9-41a6-886b-f466575a3045', actions: [{ type: 'teleport' }] }] };
    assert.throws(() => migrateFlow(legacy), (e: unknown) =>
      e instanceof LegacyMigrationError && e instanceof FlowMigrationError && /unable to migrate legacy action type: teleport/.test(e.message));
    assert.throws(() => migrateFlow({ flow_type: 'F', action_sets: 'x' }), LegacyMigrationError);
  });

  test('isLegacyDefinition', () => {
    assert.equal(isLegacyDefinition({}), false);
    assert.equal(isLegacyDefinition({ flow_type: 'M' }), true);
    assert.equal(isLegacyDefinition({ base_language: 'eng', action_sets: [], rule_sets: [] }), true);
    assert.equal(isLegacyDefinition({ uuid: FLOW_UUID, name: 'x', spec_version: '13.0.0', nodes: [] }), false);
    assert.equal(isLegacyDefinition('flow_type'), false);
  });
});

describe('migrations conformance', () => {
  test('replays goflow migration cases', async (t) => {
    const dir = conformanceDirIfPresent();
    if (!dir) return t.skip(SKIP_MESSAGE);
    const set = sets.find((s) => s.name === 'migrations');
    const r = await set!.run(dir);
    console.log(JSON.stringify({ set: r.set, passed: r.passed, failed: r.failed, skipped: r.skipped }));
    for (const f of r.failures) console.log(`  ${f.name}: ${f.reason}`);
    assert.ok(r.passed + r.failed >= 41, 'all migration cases were read');
    assert.ok(r.passed / (r.passed + r.failed) >= 0.95, `pass rate ${r.passed}/${r.passed + r.failed}`);
  });
});
