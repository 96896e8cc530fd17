import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironment } from '../environment.ts';
import { inspectFlow, newEngine, readAssets, readFlow, uuidV4Generator } from './index.ts';
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

describe('waits and resumes', () => {
  const waitFlow = (extra: Record<string, unknown> = {}) => flowDef([
    { uuid: u(1), actions: [{ uuid: u(11), type: 'send_msg', text: 'Colour?' }], exits: [{ uuid: u(21), destination_uuid: u(2) }] },
    {
      uuid: u(2), actions: [],
      router: {
        type: 'switch', operand: '@input.text', result_name: 'Colour', default_category_uuid: u(43),
        wait: { type: 'msg', timeout: { seconds: 300, category_uuid: u(44) } },
        cases: [{ uuid: u(31), type: 'has_any_word', arguments: ['red'], category_uuid: u(41) }],
        categories: [
          { uuid: u(41), name: 'Red', exit_uuid: u(22) }, { uuid: u(43), name: 'Other', exit_uuid: u(23) },
          { uuid: u(44), name: 'No Response', exit_uuid: u(24) },
        ],
      },
      exits: [{ uuid: u(22) }, { uuid: u(23) }, { uuid: u(24) }],
    },
  ], { localization: { spa: { [u(41)]: { name: ['Rojo'] }, [u(11)]: { text: ['¿Color?'] } } }, ...extra });
  const msgResume = (text: string) => ({
    type: 'msg', resumed_on: '2020-01-01T00:00:00Z',
    event: { uuid: u(5000), type: 'msg_received', created_on: '2020-01-01T00:00:00Z', msg: { urn: 'tel:+250788123456', text } },
  });

  test('waits, then routes the reply and saves a localized result', async () => {
    const { engine } = setup();
    const env = defaultEnvironment({ now: steppingClock(), random: () => 0.5, allowedLanguages: ['eng', 'spa'] });
    const assets = readAssets({ channels, flows: [waitFlow()] });
    const started = await engine.start(assets, env, { ...contact, language: 'spa' }, trigger);
    assert.equal(started.session.status, 'waiting');
    assert.equal((started.events[1].msg as { text: string }).text, '¿Color?');
    const wait = started.events.find((e) => e.type === 'msg_wait')!;
    assert.equal(wait.timeout_seconds, 300);

    const resumed = await engine.resume(JSON.parse(JSON.stringify(started.session)), assets, env, started.contact, msgResume('I like RED'));
    const result = resumed.session.runs[0].results.colour;
    assert.deepEqual([result.value, result.category, result.category_localized], ['RED', 'Red', 'Rojo']);
    assert.equal(resumed.session.status, 'completed');
    assert.deepEqual(started.segments.map((g) => [g.node_uuid, g.destination_uuid]), [[u(1), u(2)]]);
    assert.deepEqual(resumed.events.map((e) => e.type), ['run_result_changed', 'run_ended']);
  });

  test('a timeout resume takes the timeout category; a stale one is rejected without changes', async () => {
    const { env, engine } = setup();
    const assets = readAssets({ channels, flows: [waitFlow()] });
    const started = await engine.start(assets, env, contact, trigger);
    const json = JSON.parse(JSON.stringify(started.session));
    const timedOut = await engine.resume(json, assets, env, started.contact, { type: 'wait_timeout', resumed_on: '2020-01-01T00:00:00Z', event: { type: 'wait_timed_out' } });
    assert.equal(timedOut.session.runs[0].results.colour.category, 'No Response');
    await assert.rejects(
      engine.resume(JSON.parse(JSON.stringify(timedOut.session)), assets, env, started.contact, msgResume('red')),
      (e: Error & { code?: number }) => e.code === 101,
    );
  });

  test('an expiration ends the run as expired and completes the session', async () => {
    const { env, engine } = setup();
    const assets = readAssets({ channels, flows: [waitFlow()] });
    const started = await engine.start(assets, env, contact, trigger);
    const r = await engine.resume(JSON.parse(JSON.stringify(started.session)), assets, env, started.contact, { type: 'wait_expiration', resumed_on: '2020-01-01T00:00:00Z' });
    assert.equal(r.session.runs[0].status, 'expired');
    assert.equal(r.session.status, 'completed');
    assert.deepEqual(r.events.map((e) => e.type), ['run_ended']);
  });

  test('voice flows need a call', async () => {
    const { env, engine } = setup();
    const assets = readAssets({ flows: [flowDef([{ uuid: u(1), actions: [], exits: [{ uuid: u(21) }] }], { type: 'voice' })] });
    await assert.rejects(engine.start(assets, env, contact, trigger), /unable to trigger voice flow without call/);
  });
});

describe('contact modifiers and inspection', () => {
  test('modifiers change the contact, log events and re-evaluate smart groups', () => {
    const { env, engine } = setup();
    const assets = readAssets({
      fields: [{ key: 'age', name: 'Age', type: 'number' }],
      groups: [{ uuid: u(600), name: 'Adults', query: 'age >= 18' }],
    });
    const r = engine.modifyContact(assets, env, contact, [
      { type: 'name', name: 'Anne' },
      { type: 'field', field: { key: 'age', name: 'Age' }, value: '21' },
    ]);
    assert.equal(r.contact.name, 'Anne');
    assert.deepEqual(r.contact.fields.age, { text: '21', number: 21 });
    assert.deepEqual(r.events.map((e) => e.type), ['contact_name_changed', 'contact_field_changed', 'contact_groups_changed']);
    assert.deepEqual(r.events[2].groups_added, [{ uuid: u(600), name: 'Adults' }]);
  });

  test('inspection lists results, locals and missing dependencies', () => {
    const assets = readAssets({ fields: [{ key: 'age', name: 'Age', type: 'number' }] });
    const flow = readFlow(flowDef([
      {
        uuid: u(1),
        actions: [
          { uuid: u(11), type: 'set_run_result', name: 'Score Given', value: '@fields.age', category: 'High' },
          { uuid: u(12), type: 'set_run_local', local: 'tries', value: '1', operation: 'increment' },
          { uuid: u(13), type: 'add_contact_groups', groups: [{ uuid: u(700), name: 'Gone' }] },
        ],
        exits: [{ uuid: u(21) }],
      },
    ]));
    const info = inspectFlow(flow, assets);
    assert.deepEqual(info.results, [{ key: 'score_given', name: 'Score Given', categories: ['High'], node_uuids: [u(1)] }]);
    assert.deepEqual(info.locals, ['tries']);
    assert.deepEqual(info.dependencies, [
      { uuid: u(700), name: 'Gone', type: 'group', missing: true },
      { key: 'age', name: '', type: 'field' },
    ]);
    assert.equal(info.issues.length, 1);
  });
});
