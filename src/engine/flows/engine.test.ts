import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironment } from '../environment.ts';
import { newEngine, readAssets, readFlow, uuidV4Generator } from './index.ts';
import { checkEventShape } from './core/event-types.ts';
import { GoPCG, steppingClock } from './conformance/determinism.ts';

const u = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const flowDef = (nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  uuid: u(1000), name: 'Test', spec_version: '14.4.2', language: 'eng', type: 'messaging', nodes, ...extra,
});
const contact = { uuid: u(2000), name: 'Ann', status: 'active', created_on: '2020-01-01T00:00:00Z', urns: ['tel:+250788123456'] };
const channels = [{ uuid: u(3000), name: 'Phone', address: '+250788000000', schemes: ['tel'], roles: ['send'], country: 'RW' }];
const trigger = { type: 'manual', flow: { uuid: u(1000), name: 'Test' }, triggered_on: '2020-01-01T00:00:00Z' };

function setup() {
  const pcg = new GoPCG(7, 7);
  const random = () => pcg.float64();
  const env = defaultEnvironment({ now: steppingClock(), random });
  return { env, engine: newEngine({}, { newUUID: uuidV4Generator(random) }) };
}

describe('flow engine', () => {
  test('runs plain actions to completion and logs well-formed events', async () => {
    const { env, engine } = setup();
    const assets = readAssets({
      channels,
      flows: [flowDef([
        { uuid: u(1), actions: [{ uuid: u(11), type: 'send_msg', text: 'Hello' }, { uuid: u(12), type: 'set_contact_language', language: 'fra' }], exits: [{ uuid: u(21) }] },
      ])],
    });
    const r = await engine.start(assets, env, contact, trigger);
    assert.deepEqual(r.events.map((e) => e.type), ['run_started', 'msg_created', 'contact_language_changed', 'run_ended']);
    assert.equal((r.events[1].msg as { text: string }).text, 'Hello');
    assert.equal((r.events[1].msg as { urn: string }).urn, 'tel:+250788123456');
    assert.equal(r.session.status, 'completed');
    assert.equal(r.contact.language, 'fra');
    for (const e of r.events) assert.deepEqual(checkEventShape(e), []);
  });

  test('a stored session reads back to the same JSON', async () => {
    const { env, engine } = setup();
    const assets = readAssets({ channels, flows: [flowDef([{ uuid: u(1), actions: [{ uuid: u(11), type: 'send_msg', text: 'Hi' }], exits: [{ uuid: u(21) }] }])] });
    const r = await engine.start(assets, env, contact, trigger);
    const json = JSON.parse(JSON.stringify(r.session));
    const again = engine.readSession(json, assets, env, r.contact);
    assert.deepEqual(JSON.parse(JSON.stringify(again)), json);
  });

  test('a node looping to itself fails the run at the step limit', async () => {
    const { env, engine } = setup();
    const assets = readAssets({ flows: [flowDef([{ uuid: u(1), actions: [], exits: [{ uuid: u(21), destination_uuid: u(1) }] }])] });
    const r = await engine.start(assets, env, contact, trigger);
    const failure = r.events.find((e) => e.type === 'failure');
    assert.equal(failure?.text, 'Reached maximum number of steps per sprint (100)');
    assert.equal(r.session.status, 'failed');
  });

  test('entering a missing flow fails the run', async () => {
    const { env, engine } = setup();
    const assets = readAssets({
      flows: [flowDef([{ uuid: u(1), actions: [{ uuid: u(11), type: 'enter_flow', flow: { uuid: u(9999), name: 'Gone' } }], exits: [{ uuid: u(21) }] }])],
    });
    const r = await engine.start(assets, env, contact, trigger);
    assert.equal(r.events.find((e) => e.type === 'failure')?.text, "Unable to find flow 'Gone'");
    assert.equal(r.session.status, 'failed');
  });

  test('flow validation rejects unknown destinations and disallowed actions', () => {
    assert.throws(() => readFlow(flowDef([{ uuid: u(1), actions: [], exits: [{ uuid: u(21), destination_uuid: u(5) }] }])),
      /destination 00000000-0000-4000-8000-000000000005 of exit\[uuid=00000000-0000-4000-8000-000000000021\] isn't a known node/);
    assert.throws(() => readFlow(flowDef([{ uuid: u(1), actions: [{ uuid: u(11), type: 'say_msg', text: 'x' }], exits: [{ uuid: u(21) }] }])),
      /action type 'say_msg' is not allowed in a flow of type 'messaging'/);
  });
});
