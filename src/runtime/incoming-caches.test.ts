// What the incoming path keeps or skips between replies stays correct: message triggers kept in
// memory follow trigger writes and flow archiving made behind its back (migration 0012), the
// URN's channel affinity follows the channel a contact last wrote on, and a retried callback is
// stored once while still counting as the contact being seen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { forEachDatabase } from '../testing/databases.ts';
import { makeWorkspace, type TestWorkspace } from '../testing/api.ts';
import { makeMessagingApp } from '../testing/msgs.ts';
import { startFakeProvider, type FakeProvider } from '../channels/testing.ts';
import { createChannel } from '../models/channels.ts';
import { importDefinitions } from '../models/definitions.ts';
import { storeChannelEvents } from './incoming.ts';

const n = () => randomUUID();

function flow(uuid: string, name: string, greeting: string) {
  const [a, w] = [n(), n()];
  const all = { uuid: n(), name: 'All Responses', exit_uuid: n() };
  return {
    uuid, name, spec_version: '13.1.0', language: 'eng', type: 'messaging', expire_after_minutes: 60, localization: {},
    nodes: [
      { uuid: a, actions: [{ uuid: n(), type: 'send_msg', text: greeting }], exits: [{ uuid: n(), destination_uuid: w }] },
      { uuid: w, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Answer', default_category_uuid: all.uuid, wait: { type: 'msg' }, cases: [], categories: [all] }, exits: [{ uuid: all.exit_uuid }] },
    ],
  };
}

forEachDatabase('incoming path caches', (db) => {
  let m: Awaited<ReturnType<typeof makeMessagingApp>>;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let fake: FakeProvider;
  let channelUuid: string;
  let secondChannelUuid: string;
  let otherChannelUuid: string;
  const [join, later] = [n(), n()];
  const ref = (uuid: string, name: string) => ({ uuid, name });
  const keyword = (word: string, uuid: string, name: string) => ({ trigger_type: 'K', keywords: [word], match_type: 'F', flow: ref(uuid, name), groups: [], exclude_groups: [], channel: null });

  before(async () => {
    m = await makeMessagingApp(db());
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    fake = await startFakeProvider({ status: 200, body: 'ok' });
    const ex = (w: TestWorkspace, name: string, address: string) =>
      createChannel(db().db, w.workspace, { type: 'EX', name, address, config: { send_url: `${fake.url}/send`, method: 'POST' } });
    channelUuid = (await ex(ws, 'First EX', '+250788000000')).uuid;
    secondChannelUuid = (await ex(ws, 'Second EX', '+250788000001')).uuid;
    otherChannelUuid = (await ex(other, 'Other EX', '+250788000009')).uuid;
    await importDefinitions(db().db, ws.workspace, {
      version: '13', flows: [flow(join, 'Join', 'What is your name?'), flow(later, 'Later', 'See you later')],
      triggers: [keyword('join', join, 'Join')],
    }, async () => {});
  });
  after(async () => {
    await m?.close();
    await fake?.close();
  });

  const reply = (phone: string, text: string, channel = channelUuid, uuid = n()) =>
    storeChannelEvents(db().db, channel, [{ kind: 'msg', uuid, urn: `tel:${phone}`, text, attachments: [], externalId: null, receivedOn: new Date() }], m.jobs);
  const flowsOf = async (orgId: number, phone: string) => (await db().db.selectFrom('flow_runs as r').innerJoin('flows as f', 'f.id', 'r.flow_id')
    .innerJoin('contact_urns as u', 'u.contact_id', 'r.contact_id').select('f.name')
    .where('u.org_id', '=', orgId).where('u.identity', '=', `tel:${phone}`).orderBy('r.id').execute()).map((r) => r.name);

  test('message triggers kept in memory follow trigger writes and flow archiving', async () => {
    await reply('+250788100001', 'join');
    assert.deepEqual(await flowsOf(ws.workspace.id, '+250788100001'), ['Join']);
    // a new keyword trigger (the workspace's triggers were just read and kept) fires at once
    await importDefinitions(db().db, ws.workspace, { version: '13', flows: [], triggers: [keyword('later', later, 'Later')] }, async () => {});
    await reply('+250788100002', 'later');
    assert.deepEqual(await flowsOf(ws.workspace.id, '+250788100002'), ['Later']);
    // written straight to the database, as another process would
    await db().db.updateTable('triggers').set({ is_active: false }).where('org_id', '=', ws.workspace.id).where(sql<boolean>`'later' = ANY(keywords)`).execute();
    await reply('+250788100003', 'later');
    assert.deepEqual(await flowsOf(ws.workspace.id, '+250788100003'), []);
    await db().db.updateTable('flows').set({ is_archived: true }).where('uuid', '=', join).execute();
    await reply('+250788100004', 'join');
    assert.deepEqual(await flowsOf(ws.workspace.id, '+250788100004'), []);
    await db().db.updateTable('flows').set({ is_archived: false }).where('uuid', '=', join).execute();
    await reply('+250788100005', 'join');
    assert.deepEqual(await flowsOf(ws.workspace.id, '+250788100005'), ['Join']);
    // the other workspace has no triggers: its keyword stays in its inbox, and it sees none of this workspace's runs
    await reply('+250788100006', 'join', otherChannelUuid);
    assert.deepEqual(await flowsOf(other.workspace.id, '+250788100006'), []);
    assert.equal((await db().db.selectFrom('flow_runs').select('id').where('org_id', '=', other.workspace.id).execute()).length, 0);
    const inbox = await db().db.selectFrom('msgs').select(['text', 'flow_id']).where('org_id', '=', other.workspace.id).where('direction', '=', 'I').execute();
    assert.deepEqual(inbox, [{ text: 'join', flow_id: null }]);
  });

  test('a known contact: affinity follows the channel written on, a retried callback is stored once and still marks the contact seen', async () => {
    const phone = '+250788100010';
    const urn = () => db().db.selectFrom('contact_urns as u').innerJoin('channels as c', 'c.id', 'u.channel_id')
      .innerJoin('contacts as k', 'k.id', 'u.contact_id').select(['c.uuid', 'k.last_seen_on'])
      .where('u.org_id', '=', ws.workspace.id).where('u.identity', '=', `tel:${phone}`).executeTakeFirstOrThrow();
    await reply(phone, 'hello');
    assert.equal((await urn()).uuid, channelUuid);
    await reply(phone, 'hello again', secondChannelUuid);
    assert.equal((await urn()).uuid, secondChannelUuid);
    const uuid = n();
    await reply(phone, 'once', channelUuid, uuid);
    const seen = new Date((await urn()).last_seen_on as any).getTime();
    await new Promise((r) => setTimeout(r, 5));
    await reply(phone, 'once', channelUuid, uuid);
    assert.equal((await urn()).uuid, channelUuid);
    assert.ok(new Date((await urn()).last_seen_on as any).getTime() > seen);
    const texts = (await db().db.selectFrom('msgs').select('text').where('org_id', '=', ws.workspace.id).where('uuid', '=', uuid).execute()).map((r) => r.text);
    assert.deepEqual(texts, ['once']);
    // the contact is this workspace's only: the other workspace has no such URN
    assert.equal((await db().db.selectFrom('contact_urns').select('id').where('org_id', '=', other.workspace.id).where('identity', '=', `tel:${phone}`).execute()).length, 0);
  });

  test('a reply that changes the affinity is answered on the channel it came through, in one statement with its storage', async () => {
    const ask = n();
    const [q, w, t] = [n(), n(), n()];
    const all = { uuid: n(), name: 'All Responses', exit_uuid: n() };
    await importDefinitions(db().db, ws.workspace, {
      version: '13',
      flows: [{
        uuid: ask, name: 'Ask', spec_version: '13.1.0', language: 'eng', type: 'messaging', expire_after_minutes: 60, localization: {},
        nodes: [
          { uuid: q, actions: [{ uuid: n(), type: 'send_msg', text: 'Your name?' }], exits: [{ uuid: n(), destination_uuid: w }] },
          { uuid: w, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Name', default_category_uuid: all.uuid, wait: { type: 'msg' }, cases: [], categories: [all] }, exits: [{ uuid: all.exit_uuid, destination_uuid: t }] },
          { uuid: t, actions: [{ uuid: n(), type: 'send_msg', text: 'Thanks @input.text' }], exits: [{ uuid: n() }] },
        ],
      }],
      triggers: [keyword('ask', ask, 'Ask')],
    }, async () => {});
    const phone = '+250788100040';
    const outChannel = async (text: string) => (await db().db.selectFrom('msgs as m').innerJoin('channels as c', 'c.id', 'm.channel_id')
      .innerJoin('contact_urns as u', 'u.id', 'm.contact_urn_id').select('c.uuid')
      .where('m.org_id', '=', ws.workspace.id).where('u.identity', '=', `tel:${phone}`).where('m.direction', '=', 'O').where('m.text', '=', text).execute()).map((r) => r.uuid);
    await reply(phone, 'ask');
    assert.deepEqual(await outChannel('Your name?'), [channelUuid]);
    // the answer comes through the second channel: the session is resumed from the state the
    // storing statement read, which must already show the new affinity
    await reply(phone, 'Ann', secondChannelUuid);
    assert.deepEqual(await outChannel('Thanks Ann'), [secondChannelUuid]);

    // an incoming message is stored with the flow its contact waits in (the usual reply resumes
    // it); a keyword that starts another flow instead gets that flow, nothing waiting gets none
    const contactId = (await db().db.selectFrom('contact_urns').select('contact_id').where('org_id', '=', ws.workspace.id).where('identity', '=', `tel:${phone}`).executeTakeFirstOrThrow()).contact_id!;
    const flowOfIncoming = async (text: string) => (await db().db.selectFrom('msgs as m').leftJoin('flows as f', 'f.id', 'm.flow_id').select('f.name')
      .where('m.org_id', '=', ws.workspace.id).where('m.contact_id', '=', contactId).where('m.direction', '=', 'I').where('m.text', '=', text).executeTakeFirstOrThrow()).name;
    assert.equal(await flowOfIncoming('Ann'), 'Ask');
    await reply(phone, 'ask');
    await reply(phone, 'join');
    assert.equal(await flowOfIncoming('join'), 'Join');
    await reply(phone, 'Done');
    assert.equal(await flowOfIncoming('Done'), 'Join');
    await reply(phone, 'nothing waits now');
    assert.equal(await flowOfIncoming('nothing waits now'), null);
  });

  test('a known stopped contact writing is active again and triggers; a known blocked one has its message archived and starts nothing', async () => {
    const contactOf = (phone: string) => db().db.selectFrom('contacts as c').innerJoin('contact_urns as u', 'u.contact_id', 'c.id')
      .select(['c.id', 'c.status', 'c.last_seen_on']).where('u.org_id', '=', ws.workspace.id).where('u.identity', '=', `tel:${phone}`).executeTakeFirstOrThrow();
    const visibility = async (phone: string, text: string) => (await db().db.selectFrom('msgs').select('visibility')
      .where('org_id', '=', ws.workspace.id).where('contact_id', '=', (await contactOf(phone)).id).where('text', '=', text).executeTakeFirstOrThrow()).visibility;
    for (const [phone, status] of [['+250788100020', 'S'], ['+250788100021', 'B']]) {
      await reply(phone, 'hi');
      await db().db.updateTable('contacts').set({ status, last_seen_on: null }).where('id', '=', (await contactOf(phone)).id).execute();
      await reply(phone, 'join');
    }
    assert.equal((await contactOf('+250788100020')).status, 'A');
    assert.notEqual((await contactOf('+250788100020')).last_seen_on, null);
    assert.equal(await visibility('+250788100020', 'join'), 'V');
    assert.deepEqual(await flowsOf(ws.workspace.id, '+250788100020'), ['Join']);
    assert.equal((await contactOf('+250788100021')).status, 'B');
    assert.notEqual((await contactOf('+250788100021')).last_seen_on, null);
    assert.equal(await visibility('+250788100021', 'join'), 'A');
    assert.deepEqual(await flowsOf(ws.workspace.id, '+250788100021'), []);
  });

  test('a channel kept from an earlier callback is checked at each use: a deleted channel or workspace receives nothing', async () => {
    const third = await makeWorkspace(db().db);
    const uuids = await Promise.all(['+250788000020', '+250788000021'].map(async (address) =>
      (await createChannel(db().db, third.workspace, { type: 'EX', name: address, address, config: { send_url: `${fake.url}/send`, method: 'POST' } })).uuid));
    const stored = async () => (await db().db.selectFrom('msgs').select('id').where('org_id', '=', third.workspace.id).execute()).length;
    for (const uuid of uuids) {
      await reply('+250788100030', 'one', uuid);
      await reply('+250788100030', 'two', uuid);
    }
    assert.equal(await stored(), 4);
    await db().db.updateTable('channels').set({ is_active: false }).where('uuid', '=', uuids[0]).execute();
    await assert.rejects(reply('+250788100030', 'three', uuids[0]), /no active channel/);
    await db().db.updateTable('orgs').set({ is_active: false }).where('id', '=', third.workspace.id).execute();
    await assert.rejects(reply('+250788100030', 'three', uuids[1]), /no active channel/);
    assert.equal(await stored(), 4);
    // other workspaces' channels are unaffected
    await reply('+250788100031', 'hello', otherChannelUuid);
    await reply('+250788100031', 'again', otherChannelUuid);
    assert.equal((await db().db.selectFrom('msgs').select('id').where('org_id', '=', other.workspace.id).where('text', 'in', ['hello', 'again']).execute()).length, 2);
  });
});
