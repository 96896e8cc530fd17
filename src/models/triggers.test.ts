import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { greetingFlow as flow } from '../testing/flows.ts';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, type TestWorkspace } from '../testing/api.ts';
import { waitUntil, openMessagingWorld, closeMessagingWorld, type MessagingWorld } from '../testing/msgs.ts';
import type { FakeProvider } from '../channels/testing.ts';
import { importDefinitions } from './definitions.ts';


forEachDatabase('triggers: import, export and incoming messages', (db) => {
  let world: MessagingWorld | undefined;
  let m: MessagingWorld['m'], ws: TestWorkspace, other: TestWorkspace, api: ApiClient, fake: FakeProvider, channelUuid: string;
  const join = randomUUID();
  const info = randomUUID();
  const vip = randomUUID();
  const catchAll = randomUUID();
  const doc = () => ({
    version: '13', site: 'https://app.rapidpro.io',
    flows: [flow(join, 'Join', 'Welcome! What is your name?', true), flow(info, 'Info', 'We are open 9-5', false), flow(vip, 'VIP', 'Hello VIP', false), flow(catchAll, 'Catch', 'Sorry, send JOIN to join', false)],
    campaigns: [],
    triggers: [
      { trigger_type: 'K', keywords: ['join', 'Register'], match_type: 'F', flow: { uuid: join, name: 'Join' }, groups: [], exclude_groups: [], channel: null },
      { trigger_type: 'K', keyword: 'info', match_type: 'O', flow: { uuid: info, name: 'Info' }, groups: [], channel: null },
      { trigger_type: 'K', keywords: ['vip'], match_type: 'F', flow: { uuid: vip, name: 'VIP' }, groups: [{ uuid: randomUUID(), name: 'VIPs' }], exclude_groups: [], channel: null },
      { trigger_type: 'C', flow: { uuid: catchAll, name: 'Catch' }, groups: [], exclude_groups: [], channel: null },
      { trigger_type: 'K', keywords: ['ghost'], match_type: 'F', flow: { uuid: randomUUID(), name: 'No Such Flow' }, groups: [], channel: null },
    ],
    fields: [], groups: [],
  });
  before(async () => {
    world = await openMessagingWorld(db());
    ({ m, ws, other, api, fake, channelUuid } = world);
  });
  after(() => closeMessagingWorld(world));

  const receive = async (from: string, text: string) => {
    const res = await m.app.inject({
      method: 'POST', url: `/c/ex/${channelUuid}/receive`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ from, text }).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
  };
  const runsOf = async (phone: string) => (await api.get(`/api/v2/runs.json?contact=${await contactUuid(phone)}`)).json().results as any[];
  const contactUuid = async (phone: string) => (await api.get(`/api/v2/contacts.json?urn=${encodeURIComponent(`tel:${phone}`)}`)).json().results[0]?.uuid;
  const outgoing = async (phone: string) => (await db().db.selectFrom('msgs as m').innerJoin('contact_urns as u', 'u.id', 'm.contact_urn_id').select('m.text')
    .where('m.org_id', '=', ws.workspace.id).where('m.direction', '=', 'O').where('u.identity', '=', `tel:${phone}`).orderBy('m.id').execute()).map((r) => r.text);

  test('import creates triggers (once), skipping those whose flow is missing; export carries them with their flows', async () => {
    const first = await importDefinitions(db().db, ws.workspace, doc(), async () => {});
    assert.deepEqual(first.triggers, { created: 4, updated: 0, skipped: 1 });
    assert.deepEqual(first.campaigns, []);
    const again = await importDefinitions(db().db, ws.workspace, doc(), async () => {});
    assert.deepEqual(again.triggers, { created: 0, updated: 4, skipped: 1 }, 're-importing does not duplicate triggers');
    assert.equal(Number((await db().db.selectFrom('triggers').select((e) => e.fn.countAll().as('n')).where('org_id', '=', ws.workspace.id).executeTakeFirstOrThrow()).n), 4);
    const group = await db().db.selectFrom('contact_groups').select(['uuid', 'name']).where('org_id', '=', ws.workspace.id).where('name', '=', 'VIPs').executeTakeFirstOrThrow();

    const exp = (await api.get(`/api/v2/definitions.json?flow=${join}&flow=${vip}&dependencies=flows`)).json();
    assert.deepEqual(exp.triggers, [
      { trigger_type: 'K', flow: { uuid: join, name: 'Join' }, groups: [], exclude_groups: [], keywords: ['join', 'Register'], match_type: 'F', channel: null },
      { trigger_type: 'K', flow: { uuid: vip, name: 'VIP' }, groups: [group], exclude_groups: [], keywords: ['vip'], match_type: 'F', channel: null },
    ]);
    assert.deepEqual((await api.get(`/api/v2/definitions.json?flow=${catchAll}`)).json().triggers, [
      { trigger_type: 'C', flow: { uuid: catchAll, name: 'Catch' }, groups: [], exclude_groups: [], channel: null },
    ]);
    assert.deepEqual((await api.get(`/api/v2/definitions.json?flow=${join}&dependencies=none`)).json().triggers, []);
    // another workspace exports none of them
    assert.deepEqual((await api.as(other.admin.token).get(`/api/v2/definitions.json?flow=${join}`)).json().triggers, []);
    // the export imports into another workspace with its triggers
    const copied = await importDefinitions(db().db, other.workspace, exp, async () => {});
    assert.deepEqual(copied.triggers, { created: 2, updated: 0, skipped: 0 });
  });

  test('a keyword starts its flow (any case, first word), a reply resumes it, the flow is recorded on the messages', async () => {
    await receive('+250788500001', 'REGISTER me please');
    await waitUntil(async () => (await runsOf('+250788500001')).length === 1, 20_000, 'the run');
    let [run] = await runsOf('+250788500001');
    assert.equal(run.flow.uuid, join);
    assert.equal(run.exit_type, null);
    // the reply is not a keyword: it resumes the waiting session (the catch-all does not fire)
    await receive('+250788500001', 'Bob');
    [run] = await runsOf('+250788500001');
    assert.equal(run.exit_type, 'completed');
    assert.equal(run.values.answer.value, 'Bob');
    const inbox = (await api.get(`/api/v2/messages.json?contact=${await contactUuid('+250788500001')}`)).json().results.filter((x: any) => x.direction === 'in');
    assert.deepEqual(inbox.map((x: any) => [x.text, x.flow?.uuid]), [['Bob', join], ['REGISTER me please', join]]);
    assert.deepEqual(await outgoing('+250788500001'), ['Welcome! What is your name?']);
  });

  test('a keyword interrupts a waiting session; only-word and group conditions; catch-all only when nothing waits', async () => {
    await receive('+250788500002', 'join');
    await receive('+250788500002', 'join');
    let runs = await runsOf('+250788500002');
    // (the order of the two runs depends on when the interruption is written: only their statuses matter here)
    assert.deepEqual(runs.map((r) => String(r.exit_type)).sort(), ['interrupted', 'null']);
    // "info" must be the only word
    await receive('+250788500003', 'info please');
    await receive('+250788500004', 'Info');
    await receive('+250788500005', 'vip');
    await receive('+250788500006', 'hello there');
    assert.deepEqual((await runsOf('+250788500003')).map((r) => r.flow.uuid), [catchAll]);
    assert.deepEqual((await runsOf('+250788500004')).map((r) => r.flow.uuid), [info]);
    assert.deepEqual((await runsOf('+250788500005')).map((r) => r.flow.uuid), [catchAll], 'the VIP keyword needs the VIPs group');
    assert.deepEqual((await runsOf('+250788500006')).map((r) => r.flow.uuid), [catchAll]);
    assert.deepEqual(await outgoing('+250788500006'), ['Sorry, send JOIN to join']);
    // waiting in Join: a non-keyword reply resumes it rather than firing the catch-all
    runs = await runsOf('+250788500002');
    await receive('+250788500002', 'whatever');
    runs = await runsOf('+250788500002');
    assert.deepEqual(runs.map((r) => [r.flow.uuid, r.exit_type]).sort(), [[join, 'completed'], [join, 'interrupted']]);
  });
});
