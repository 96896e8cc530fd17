// Campaigns in export documents: import (RapidPro's Campaign.import_campaigns) and export through
// GET /api/v2/definitions.json (campaign=, dependencies=none|flows|all).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, type TestWorkspace } from '../testing/api.ts';
import { importDefinitions } from './definitions.ts';
import { InvalidInputError } from './errors.ts';

const n = () => randomUUID();
const noJobs = async () => {};

/** A one-message flow; `group` makes it add the contact to that group (a flow → group → campaign link). */
function flow(uuid: string, name: string, group?: { uuid: string; name: string }) {
  return {
    uuid, name, spec_version: '13.1.0', language: 'eng', type: 'messaging', expire_after_minutes: 60, localization: {},
    nodes: [{
      uuid: n(),
      actions: [{ uuid: n(), type: 'send_msg', text: `This is ${name}` }, ...(group ? [{ uuid: n(), type: 'add_contact_groups', groups: [group] }] : [])],
      exits: [{ uuid: n() }],
    }],
  };
}

forEachDatabase('campaigns: import from and export to definitions', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  const reminder = n();
  const joiner = n();
  const unrelated = n();
  const campaignUuid = n();
  const docGroup = { uuid: n(), name: 'Pregnant' };
  const doc = () => ({
    version: '13', site: 'https://app.rapidpro.io',
    flows: [flow(reminder, 'Reminder'), flow(joiner, 'Join Pregnant', docGroup), flow(unrelated, 'Unrelated')],
    fields: [{ key: 'edd', name: 'Expected Delivery', type: 'datetime' }, { key: 'age', name: 'Age', type: 'number' }],
    groups: [{ ...docGroup, query: null }],
    campaigns: [{
      uuid: campaignUuid, name: 'Antenatal', group: docGroup,
      events: [
        { uuid: n(), offset: -14, unit: 'D', event_type: 'F', delivery_hour: 9, relative_to: { label: 'Expected Delivery', key: 'edd' }, start_mode: 'I', flow: { uuid: reminder, name: 'Reminder' } },
        { uuid: n(), offset: 1, unit: 'W', event_type: 'M', delivery_hour: -1, relative_to: { label: 'Registered On', key: 'registered' }, start_mode: 'S', message: { eng: 'Welcome!', kin: 'Murakaza neza!' }, base_language: 'eng' },
        { uuid: n(), offset: 30, unit: 'M', event_type: 'F', delivery_hour: -1, relative_to: { label: 'Created On', key: 'created_on' }, start_mode: 'P', flow: { uuid: n(), name: 'Not Exported' } },
        { uuid: n(), offset: 2, unit: 'H', event_type: 'M', delivery_hour: -1, relative_to: { label: 'Last Seen On', key: 'last_seen_on' }, message: 'Plain text' },
      ],
    }],
    triggers: [],
  });
  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
  });
  after(async () => app?.close());

  const definitions = async (client: ApiClient, query: string) => {
    const res = await client.get(`/api/v2/definitions.json?${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const events = (orgId: number, active = true) => db().db.selectFrom('campaign_events as e').innerJoin('contact_fields as f', 'f.id', 'e.relative_to_id')
    .select(['e.event_type', 'e.offset', 'e.unit', 'e.delivery_hour', 'e.start_mode', 'e.status', 'e.fire_version', 'e.translations', 'e.base_language', 'e.flow_id', 'f.key'])
    .where('e.org_id', '=', orgId).where('e.is_active', '=', active).orderBy('e.id').execute();

  test('import creates the campaign, its group link, the missing datetime field and its events (flow events without a flow dropped)', async () => {
    const summary = await importDefinitions(db().db, ws.workspace, doc(), noJobs);
    assert.deepEqual(summary.campaigns, [{ uuid: campaignUuid, name: 'Antenatal', created: true, events: 3, skipped_events: 1 }]);
    const group = await db().db.selectFrom('contact_groups').select(['id', 'uuid']).where('org_id', '=', ws.workspace.id).where('name', '=', 'Pregnant').executeTakeFirstOrThrow();
    const campaign = await db().db.selectFrom('campaigns').selectAll().where('uuid', '=', campaignUuid).executeTakeFirstOrThrow();
    assert.deepEqual([campaign.org_id, campaign.name, Number(campaign.group_id), campaign.is_archived], [ws.workspace.id, 'Antenatal', Number(group.id), false]);
    const registered = await db().db.selectFrom('contact_fields').select(['name', 'value_type', 'is_system']).where('org_id', '=', ws.workspace.id).where('key', '=', 'registered').executeTakeFirstOrThrow();
    assert.deepEqual(registered, { name: 'Registered On', value_type: 'datetime', is_system: false });
    const rows = await events(ws.workspace.id);
    const reminderId = (await db().db.selectFrom('flows').select('id').where('uuid', '=', reminder).executeTakeFirstOrThrow()).id;
    assert.deepEqual(rows.map((e) => ({ ...e, flow_id: e.flow_id === null ? null : Number(e.flow_id) })), [
      { event_type: 'F', offset: -14, unit: 'D', delivery_hour: 9, start_mode: 'I', status: 'S', fire_version: 1, translations: null, base_language: null, flow_id: Number(reminderId), key: 'edd' },
      { event_type: 'M', offset: 1, unit: 'W', delivery_hour: -1, start_mode: 'S', status: 'S', fire_version: 1, translations: { eng: { text: 'Welcome!' }, kin: { text: 'Murakaza neza!' } }, base_language: 'eng', flow_id: null, key: 'registered' },
      { event_type: 'M', offset: 2, unit: 'H', delivery_hour: -1, start_mode: 'I', status: 'S', fire_version: 1, translations: { und: { text: 'Plain text' } }, base_language: 'und', flow_id: null, key: 'last_seen_on' },
    ]);
  });

  test('definitions.json exports the campaign in RapidPro shape with its dependencies by mode', async () => {
    const group = await db().db.selectFrom('contact_groups').select(['uuid', 'name']).where('org_id', '=', ws.workspace.id).where('name', '=', 'Pregnant').executeTakeFirstOrThrow();
    const all = await definitions(api, `campaign=${campaignUuid}`);
    assert.equal(all.campaigns.length, 1);
    const [c] = all.campaigns;
    assert.deepEqual({ ...c, events: undefined }, { uuid: campaignUuid, name: 'Antenatal', group: { uuid: group.uuid, name: 'Pregnant' }, events: undefined });
    assert.deepEqual(c.events.map((e: any) => ({ ...e, uuid: typeof e.uuid })), [
      { uuid: 'string', offset: -14, unit: 'D', event_type: 'F', delivery_hour: 9, relative_to: { label: 'Expected Delivery', key: 'edd' }, start_mode: 'I', flow: { uuid: reminder, name: 'Reminder' } },
      { uuid: 'string', offset: 1, unit: 'W', event_type: 'M', delivery_hour: -1, relative_to: { label: 'Registered On', key: 'registered' }, start_mode: 'S', message: { eng: 'Welcome!', kin: 'Murakaza neza!' }, base_language: 'eng' },
      { uuid: 'string', offset: 2, unit: 'H', event_type: 'M', delivery_hour: -1, relative_to: { label: 'Last Seen On', key: 'last_seen_on' }, start_mode: 'I', message: { und: 'Plain text' }, base_language: 'und' },
    ]);
    // all: the event's flow, and the flow that uses the campaign's group; fields by key without the system ones; the group
    assert.deepEqual(all.flows.map((f: any) => f.name).sort(), ['Join Pregnant', 'Reminder']);
    assert.deepEqual(all.fields, [{ key: 'edd', name: 'Expected Delivery', type: 'datetime' }, { key: 'registered', name: 'Registered On', type: 'datetime' }]);
    assert.deepEqual(all.groups, [{ uuid: group.uuid, name: 'Pregnant', query: null }]);

    const none = await definitions(api, `campaign=${campaignUuid}&dependencies=none`);
    assert.deepEqual([none.campaigns.length, none.flows, none.fields, none.groups], [1, [], [], []]);
    const flowsOnly = await definitions(api, `campaign=${campaignUuid}&dependencies=flows`);
    assert.deepEqual([flowsOnly.campaigns.length, flowsOnly.flows, flowsOnly.triggers], [1, [], []], 'flows mode does not follow campaigns');
    // a flow brings the campaigns using it in `all` mode only
    assert.equal((await definitions(api, `flow=${reminder}`)).campaigns.length, 1);
    assert.deepEqual((await definitions(api, `flow=${reminder}&dependencies=flows`)).campaigns, []);
    assert.deepEqual((await definitions(api, `flow=${unrelated}`)).campaigns, []);
    assert.deepEqual((await definitions(api, 'campaign=nonsense&campaign=' + n())).campaigns, []);
  });

  test('another workspace sees nothing; the export imports there and exports back the same campaign', async () => {
    const o = api.as(other.admin.token);
    assert.deepEqual((await definitions(o, `campaign=${campaignUuid}`)).campaigns, []);
    const exported = await definitions(api, `campaign=${campaignUuid}`);
    const summary = await importDefinitions(db().db, other.workspace, exported, noJobs);
    assert.equal(summary.campaigns.length, 1);
    assert.equal(summary.campaigns[0].created, true);
    assert.notEqual(summary.campaigns[0].uuid, campaignUuid, 'campaign UUIDs are global: the copy gets its own');
    const back = await definitions(o, `campaign=${summary.campaigns[0].uuid}`);
    const strip = (c: any) => ({ ...c, uuid: undefined, group: { name: c.group.name }, events: c.events.map((e: any) => ({ ...e, uuid: undefined, flow: e.flow && { name: e.flow.name } })) });
    assert.deepEqual(strip(back.campaigns[0]), strip(exported.campaigns[0]));
    // the flow event points at the copy of the flow made by the same import (flow UUIDs are global too)
    const copiedReminder = summary.flows.find((f) => f.name === 'Reminder')!;
    assert.notEqual(copiedReminder.uuid, reminder);
    assert.equal(back.campaigns[0].events[0].flow.uuid, copiedReminder.uuid);
    assert.deepEqual(back.fields, exported.fields);
    // and the original workspace still has only its own
    assert.equal(Number((await db().db.selectFrom('campaigns').select((e) => e.fn.countAll().as('n')).where('org_id', '=', ws.workspace.id).executeTakeFirstOrThrow()).n), 1);
  });

  test('re-importing updates the campaign in place: its events are replaced, not added to', async () => {
    const again = doc();
    again.campaigns[0].events = again.campaigns[0].events.slice(0, 1);
    again.campaigns[0].name = '  Antenatal  ';
    const summary = await importDefinitions(db().db, ws.workspace, again, noJobs);
    assert.deepEqual(summary.campaigns, [{ uuid: campaignUuid, name: 'Antenatal', created: false, events: 1, skipped_events: 0 }]);
    assert.equal((await events(ws.workspace.id)).length, 1);
    assert.equal((await events(ws.workspace.id, false)).length, 3, 'the replaced events are kept inactive');
    // found by name when the UUID is unknown
    const renamed = doc();
    renamed.campaigns[0].uuid = n();
    assert.deepEqual((await importDefinitions(db().db, ws.workspace, renamed, noJobs)).campaigns.map((c) => [c.uuid, c.created]), [[campaignUuid, false]]);
  });

  test('a relative_to field that exists with another type becomes a datetime field (as RapidPro imports)', async () => {
    const d = doc();
    d.campaigns[0].events = [{ ...d.campaigns[0].events[0], relative_to: { label: 'Age', key: 'age' } }];
    d.campaigns[0].name = 'Birthdays';
    d.campaigns[0].uuid = n();
    await importDefinitions(db().db, ws.workspace, d, noJobs);
    const age = await db().db.selectFrom('contact_fields').select(['name', 'value_type']).where('org_id', '=', ws.workspace.id).where('key', '=', 'age').executeTakeFirstOrThrow();
    assert.deepEqual(age, { name: 'Age', value_type: 'datetime' });
  });

  test('a bad document is refused with a message naming the fault, and nothing of it is written', async () => {
    const third = await makeWorkspace(db().db);
    const cases: [string, (d: any) => void, RegExp][] = [
      ['campaigns not a list', (d) => { d.campaigns = { name: 'x' }; }, /"campaigns" must be a list/],
      ['no group', (d) => { delete d.campaigns[0].group; }, /invalid campaign in export \(a group with a name is required\)/],
      ['no name', (d) => { d.campaigns[0].name = '  '; }, /invalid campaign in export \(a name is required\)/],
      ['bad unit', (d) => { d.campaigns[0].events[0].unit = 'Y'; }, /invalid campaign event in export \(unit must be one of M, H, D, W\)/],
      ['bad offset', (d) => { d.campaigns[0].events[0].offset = 1.5; }, /offset must be an integer/],
      ['bad hour', (d) => { d.campaigns[0].events[0].delivery_hour = 24; }, /delivery_hour must be an integer from -1 to 23/],
      ['bad type', (d) => { d.campaigns[0].events[0].event_type = 'X'; }, /event_type must be F or M/],
      ['bad start mode', (d) => { d.campaigns[0].events[0].start_mode = 'Q'; }, /start_mode must be one of I, S, P/],
      ['bad field key', (d) => { d.campaigns[0].events[0].relative_to = { key: 'Not A Key', label: 'x' }; }, /"Not A Key" is not a valid contact field key/],
      ['no message', (d) => { d.campaigns[0].events[1].message = { eng: 5 }; }, /message text for "eng" must be a string/],
      ['events not a list', (d) => { d.campaigns[0].events = 'soon'; }, /"events" must be a list/],
      ['unknown trigger type', (d) => { d.triggers = [{ trigger_type: 'Z', flow: { uuid: reminder, name: 'Reminder' } }]; }, /"Z" is not a valid trigger type/],
      ['newer export version', (d) => { d.version = '14'; }, /Unsupported export version "14"/],
    ];
    for (const [what, mutate, message] of cases) {
      const d = doc();
      mutate(d);
      await assert.rejects(importDefinitions(db().db, third.workspace, d, noJobs), (e: Error) => e instanceof InvalidInputError && message.test(e.message), what);
    }
    const count = async (table: 'flows' | 'campaigns' | 'contact_fields') => Number((await db().db.selectFrom(table).select((e) => e.fn.countAll().as('n')).where('org_id', '=', third.workspace.id).where('is_active', '=', true).executeTakeFirstOrThrow()).n);
    assert.deepEqual([await count('flows'), await count('campaigns')], [0, 0]);
    assert.equal(await count('contact_fields'), 2, 'only the system created_on and last_seen_on');
  });
});
