// Flow engine throughput: start+resume pairs/s for a 5-node messaging flow with a wait (send a
// question, wait, route the answer with a switch, save a field and a result, send a reply). The
// ceiling measured in the same run is the JSON round trip of the stored session alone (what any
// engine must at least do between the two sprints), so the ratio shows the engine's own overhead.
import { defaultEnvironment } from '../src/engine/environment.ts';
import { newEngine, readAssets, uuidV4Generator } from '../src/engine/flows/index.ts';

const FLOW_UUID = '8f2c6a3e-1d1b-4c8e-9a55-3c1d2e3f4a5b';
const u = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const flow = {
  uuid: FLOW_UUID, name: 'Bench', spec_version: '14.4.2', language: 'eng', type: 'messaging',
  nodes: [
    { uuid: u(1), actions: [{ uuid: u(101), type: 'send_msg', text: 'Hi @contact.name, what is your favourite colour?' }], exits: [{ uuid: u(201), destination_uuid: u(2) }] },
    {
      uuid: u(2), actions: [],
      router: {
        type: 'switch', wait: { type: 'msg' }, result_name: 'Colour', operand: '@input.text',
        cases: [{ uuid: u(301), type: 'has_any_word', arguments: ['red'], category_uuid: u(401) }, { uuid: u(302), type: 'has_any_word', arguments: ['blue'], category_uuid: u(402) }],
        categories: [{ uuid: u(401), name: 'Red', exit_uuid: u(202) }, { uuid: u(402), name: 'Blue', exit_uuid: u(203) }, { uuid: u(403), name: 'Other', exit_uuid: u(204) }],
        default_category_uuid: u(403),
      },
      exits: [{ uuid: u(202), destination_uuid: u(3) }, { uuid: u(203), destination_uuid: u(3) }, { uuid: u(204), destination_uuid: u(3) }],
    },
    { uuid: u(3), actions: [{ uuid: u(102), type: 'set_contact_field', field: { key: 'colour', name: 'Colour' }, value: '@results.colour.value' }], exits: [{ uuid: u(205), destination_uuid: u(4) }] },
    { uuid: u(4), actions: [{ uuid: u(103), type: 'set_run_result', name: 'Done', value: 'yes', category: 'Yes' }], exits: [{ uuid: u(206), destination_uuid: u(5) }] },
    { uuid: u(5), actions: [{ uuid: u(104), type: 'send_msg', text: '@results.colour.category it is, thanks!' }], exits: [{ uuid: u(207) }] },
  ],
};

const assets = readAssets({
  flows: [flow],
  channels: [{ uuid: u(900), name: 'Android', address: '+250788000000', schemes: ['tel'], roles: ['send', 'receive'], country: 'RW' }],
  fields: [{ key: 'colour', name: 'Colour', type: 'text' }],
});

let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
let clock = Date.UTC(2026, 0, 1);
const env = defaultEnvironment({ now: () => new Date((clock += 1000)), random });
const engine = newEngine({}, { newUUID: uuidV4Generator(random) });

const contact = {
  uuid: u(700), name: 'Ben', status: 'active', language: 'eng', created_on: '2020-01-01T00:00:00Z', urns: ['tel:+250788123456'],
};
const trigger = { type: 'manual', flow: { uuid: FLOW_UUID, name: 'Bench' }, triggered_on: '2026-01-01T00:00:00Z' };
const resume = {
  type: 'msg', resumed_on: '2026-01-01T00:01:00Z',
  event: { uuid: u(800), type: 'msg_received', created_on: '2026-01-01T00:01:00Z', msg: { urn: 'tel:+250788123456', text: 'I like blue' } },
};

async function pair(): Promise<string> {
  const started = await engine.start(assets, env, contact, trigger);
  const stored = JSON.stringify(started.session);
  const resumed = await engine.resume(JSON.parse(stored), assets, env, started.contact, resume);
  return resumed.session.status;
}

/** Runs fn repeatedly for about `ms`; returns wall-clock and CPU-time rates (the machine may be shared). */
async function measure(label: string, fn: () => Promise<unknown> | unknown, ms = 3000): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < 300; i++) await fn();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  const wall = n / ((performance.now() - start) / 1000);
  const used = process.cpuUsage(cpu0);
  const cpu = n / ((used.user + used.system) / 1e6);
  console.log(`${label}: ${Math.round(wall).toLocaleString('en')} /s wall-clock, ${Math.round(cpu).toLocaleString('en')} /s of CPU time`);
  return { wall, cpu };
}

const status = await pair();
if (status !== 'completed') throw new Error(`bench flow ended ${status}, expected completed`);

const sample = JSON.stringify((await engine.start(assets, env, contact, trigger)).session);
const engineRate = await measure('start+resume pairs', pair);
const ceiling = await measure('ceiling: session JSON round trip x2', () => JSON.stringify(JSON.parse(JSON.stringify(JSON.parse(sample)))));
console.log(`ratio engine/ceiling (wall): ${(engineRate.wall / ceiling.wall).toFixed(3)}, (cpu): ${(engineRate.cpu / ceiling.cpu).toFixed(3)}`);
console.log(`target >= 5,000 pairs/s: ${engineRate.wall >= 5000 ? 'met' : 'NOT met'} on wall-clock, ${engineRate.cpu >= 5000 ? 'met' : 'NOT met'} per CPU-second`);
