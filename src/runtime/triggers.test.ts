// Triggers on the incoming path (engine.md §5.5; mailroom's msg_received and event_received):
// flows that ignore keyword triggers, the keyword_match the engine gets, and new conversation /
// referral triggers fired by channel events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { greetingFlow as flow } from '../testing/flows.ts';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, type TestWorkspace } from '../testing/api.ts';
import { openMessagingWorld, closeMessagingWorld, type MessagingWorld } from '../testing/msgs.ts';
import type { FakeProvider } from '../channels/testing.ts';
import { createChannel } from '../models/channels.ts';
import { importDefinitions } from '../models/definitions.ts';
import { storeChannelEvents } from './incoming.ts';
import type { ChannelEventType } from '../channels/types.ts';

const n = () => randomUUID();


forEachDatabase('triggers on incoming messages and channel events', (db) => {
  let world: MessagingWorld | undefined;
  let m: MessagingWorld['m'], ws: TestWorkspace, other: TestWorkspace, api: ApiClient, fake: FakeProvider, channelUuid: string;
  let otherChannelUuid: string;
  const [survey, join, help, welcome, promo, referral] = [n(), n(), n(), n(), n(), n()];
  const ref = (uuid: string, name: string) => ({ uuid, name });
  before(async () => {
    world = await openMessagingWorld(db());
    ({ m, ws, other, api, fake, channelUuid } = world);
    otherChannelUuid = (await createChannel(db().db, other.workspace, { type: 'EX', name: 'Other EX', address: '+250788000009', config: { send_url: `${fake.url}/send`, method: 'POST' } })).uuid;
    const channel = { uuid: channelUuid, name: 'Fake EX' };
    const summary = await importDefinitions(db().db, ws.workspace, {
      version: '13', site: 'https://app.rapidpro.io',
      flows: [
        flow(survey, 'Survey', 'Rate us from 1 to 5', true, { ignore_triggers: true }), flow(join, 'Join', 'What is your name?', true),
        flow(help, 'Help', 'Reply STOP to stop', false), flow(welcome, 'Welcome', 'Welcome to the service', false),
        flow(promo, 'Promo', 'Thanks for clicking our promo @trigger.params.referrer_id', false), flow(referral, 'Any Referral', 'Hello from an ad', false),
      ],
      triggers: [
        { trigger_type: 'K', keywords: ['survey'], match_type: 'F', flow: ref(survey, 'Survey'), groups: [], exclude_groups: [], channel: null },
        { trigger_type: 'K', keywords: ['join'], match_type: 'F', flow: ref(join, 'Join'), groups: [], exclude_groups: [], channel: null },
        { trigger_type: 'K', keywords: ['Help'], match_type: 'F', flow: ref(help, 'Help'), groups: [], exclude_groups: [], channel: null },
        { trigger_type: 'N', flow: ref(welcome, 'Welcome'), groups: [], exclude_groups: [], channel },
        { trigger_type: 'R', referrer_id: 'promo1', flow: ref(promo, 'Promo'), groups: [], exclude_groups: [], channel },
        { trigger_type: 'R', flow: ref(referral, 'Any Referral'), groups: [], exclude_groups: [], channel: null },
        // a new conversation trigger limited to a group never fires: channel events match without a contact (as mailroom)
        { trigger_type: 'N', flow: ref(help, 'Help'), groups: [{ uuid: n(), name: 'Members' }], exclude_groups: [], channel },
      ],
    }, async () => {});
    assert.deepEqual(summary.triggers, { created: 7, updated: 0, skipped: 0 });
    // the other workspace has a new conversation trigger of its own, on its own channel
    await importDefinitions(db().db, other.workspace, {
      version: '13', flows: [flow(n(), 'Other Welcome', 'Other welcome', false)].map((f) => ({ ...f, uuid: welcomeOther })),
      triggers: [{ trigger_type: 'N', flow: ref(welcomeOther, 'Other Welcome'), groups: [], exclude_groups: [], channel: { uuid: otherChannelUuid, name: 'Other EX' } }],
    }, async () => {});
  });
  const welcomeOther = n();
  after(() => closeMessagingWorld(world));

  const receive = async (from: string, text: string) => {
    const res = await m.app.inject({
      method: 'POST', url: `/c/ex/${channelUuid}/receive`, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ from, text }).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
  };
  const event = (phone: string, eventType: ChannelEventType, extra?: Record<string, string>, channel = channelUuid) =>
    storeChannelEvents(db().db, channel, [{ kind: 'channel_event', eventType, urn: `tel:${phone}`, occurredOn: new Date(), ...(extra && { extra }) }], m.jobs);
  const contactUuid = async (phone: string) => (await api.get(`/api/v2/contacts.json?urn=${encodeURIComponent(`tel:${phone}`)}`)).json().results[0]?.uuid;
  const runsOf = async (phone: string) => (await api.get(`/api/v2/runs.json?contact=${await contactUuid(phone)}`)).json().results as any[];
  const sessionTrigger = async (phone: string) => {
    const row = await db().db.selectFrom('flow_sessions as s').innerJoin('contacts as c', 'c.id', 's.contact_id').select('s.output')
      .where('c.uuid', '=', await contactUuid(phone)).orderBy('s.id', 'desc').executeTakeFirstOrThrow();
    return (typeof row.output === 'string' ? JSON.parse(row.output) : row.output).trigger;
  };

  test('a flow that ignores triggers keeps its contact: a keyword reply is an answer, not a new flow', async () => {
    await receive('+250788700001', 'survey');
    assert.deepEqual((await runsOf('+250788700001')).map((r) => [r.flow.name, r.exit_type]), [['Survey', null]]);
    await receive('+250788700001', 'help');
    const runs = await runsOf('+250788700001');
    assert.deepEqual(runs.map((r) => [r.flow.name, r.exit_type]), [['Survey', 'completed']]);
    assert.equal(runs[0].values.answer.value, 'help');
    // the setting is exported with the flow and only there
    const exported = (await api.get(`/api/v2/definitions.json?flow=${survey}&flow=${join}&dependencies=none`)).json().flows;
    assert.deepEqual(exported.map((f: any) => [f.name, f.ignore_triggers]).sort(), [['Join', undefined], ['Survey', true]]);
  });

  test('other flows are interrupted by a keyword; keyword_match carries the trigger spelling of the keyword', async () => {
    await receive('+250788700002', 'join');
    await receive('+250788700002', 'HELP me please');
    const runs = await runsOf('+250788700002');
    assert.deepEqual(runs.map((r) => [r.flow.name, r.exit_type]).sort(), [['Help', 'completed'], ['Join', 'interrupted']]);
    assert.deepEqual((await sessionTrigger('+250788700002')).keyword_match, { type: 'first_word', keyword: 'Help' });
  });

  test('a new conversation fires the channel trigger with a chat trigger; a referral matches its referrer id (any case), else the general one', async () => {
    await event('+250788700003', 'new_conversation');
    assert.deepEqual((await runsOf('+250788700003')).map((r) => [r.flow.name, r.exit_type]), [['Welcome', 'completed']]);
    const chat = await sessionTrigger('+250788700003');
    assert.equal(chat.type, 'chat');
    assert.deepEqual([chat.event.type, chat.event.channel], ['chat_started', { uuid: channelUuid, name: 'Fake EX' }]);

    await event('+250788700004', 'referral', { referrer_id: 'PROMO1', source: 'ad' });
    assert.deepEqual((await runsOf('+250788700004')).map((r) => r.flow.name), ['Promo']);
    assert.deepEqual((await sessionTrigger('+250788700004')).event.params, { referrer_id: 'PROMO1', source: 'ad' });
    const sent = await db().db.selectFrom('msgs as m').innerJoin('contacts as c', 'c.id', 'm.contact_id').select('m.text')
      .where('c.uuid', '=', await contactUuid('+250788700004')).where('m.direction', '=', 'O').execute();
    assert.deepEqual(sent.map((s) => s.text), ['Thanks for clicking our promo PROMO1']);

    await event('+250788700005', 'referral', { referrer_id: 'elsewhere' });
    assert.deepEqual((await runsOf('+250788700005')).map((r) => r.flow.name), ['Any Referral']);
    // a referral without params is a new conversation
    await event('+250788700006', 'referral');
    assert.deepEqual((await runsOf('+250788700006')).map((r) => r.flow.name), ['Welcome']);
    // a conversation start interrupts what the contact was waiting in
    await receive('+250788700007', 'join');
    await event('+250788700007', 'new_conversation');
    assert.deepEqual((await runsOf('+250788700007')).map((r) => [r.flow.name, r.exit_type]).sort(), [['Join', 'interrupted'], ['Welcome', 'completed']]);
  });

  test('blocked contacts and other event types fire nothing; stopped contacts are active again; workspaces keep their own triggers', async () => {
    await event('+250788700008', 'new_conversation');
    const uuid = await contactUuid('+250788700008');
    await db().db.updateTable('contacts').set({ status: 'B' }).where('uuid', '=', uuid).execute();
    await event('+250788700008', 'new_conversation');
    assert.equal((await runsOf('+250788700008')).length, 1);
    await event('+250788700009', 'welcome_message');
    assert.equal((await runsOf('+250788700009')).length, 0);
    await event('+250788700010', 'stop_contact');
    await event('+250788700010', 'new_conversation');
    const contact = (await api.get(`/api/v2/contacts.json?uuid=${await contactUuid('+250788700010')}`)).json().results[0];
    assert.equal(contact.status, 'active');
    assert.deepEqual((await runsOf('+250788700010')).map((r) => r.flow.name), ['Welcome']);
    // the other workspace's channel fires its own trigger, and sees none of this workspace's runs
    await event('+250788700011', 'new_conversation', undefined, otherChannelUuid);
    const theirs = (await api.as(other.admin.token).get('/api/v2/runs.json')).json().results;
    assert.deepEqual(theirs.map((r: any) => r.flow.uuid), [welcomeOther]);
    assert.ok((await api.get('/api/v2/runs.json')).json().results.every((r: any) => r.flow.uuid !== welcomeOther));
  });
});
