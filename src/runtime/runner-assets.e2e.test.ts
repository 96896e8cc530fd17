// Issue 8 "done when": a flow exported from RapidPro — here goflow's runner asset file
// two_questions.json from the shared conformance data, imported as it is — runs through the API:
// started with flow_starts.json, answered through the EX receive URL (a fake provider on
// 127.0.0.1), with the results, messages and statuses the runner test expects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, type TestWorkspace } from '../testing/api.ts';
import { waitUntil, openMessagingWorld, closeMessagingWorld, sentTexts, exReceive, type MessagingWorld } from '../testing/msgs.ts';
import type { FakeProvider } from '../channels/testing.ts';
import { importDefinitions } from '../models/definitions.ts';
import { conformanceDirIfPresent, SKIP_MESSAGE } from '../conformance/harness.ts';
import { resumeWait } from './runner.ts';
import { messagingSink } from './messaging.ts';

const dir = conformanceDirIfPresent();
const assetFile = dir && path.join(dir, 'goflow/runner/two_questions.json');
const present = !!assetFile && existsSync(assetFile);
const read = (name: string) => JSON.parse(readFileSync(path.join(dir!, 'goflow/runner', name), 'utf8'));

if (!present) {
  test('runner asset flows run end to end through the API', (t) => { t.skip(SKIP_MESSAGE); });
} else {
  const assets = read('two_questions.json');
  const scenario = read('two_questions.test.json');
  const expiring = read('two_questions.test_resume_with_expiration.json');
  const events = (s: any) => s.outputs.flatMap((o: any) => o.events);
  /** What the runner expects the contact to be sent, and the results written. */
  const expectedTexts: string[] = events(scenario).filter((e: any) => e.type === 'msg_created').map((e: any) => e.msg.text);
  const expectedResults = events(scenario).filter((e: any) => e.type === 'run_result_changed');
  const answers: string[] = scenario.resumes.map((r: any) => r.event.msg.text);
  const flowUuid: string = assets.flows[0].uuid;
  const phone: string = scenario.contact.urns.find((u: string) => u.startsWith('tel:')).slice(4);

  forEachDatabase('runner asset flow (two_questions.json) imported and run through the API', (db) => {
    let world: MessagingWorld | undefined;
    let m: MessagingWorld['m'], ws: TestWorkspace, other: TestWorkspace, api: ApiClient, fake: FakeProvider, channelUuid: string;
    before(async () => {
      world = await openMessagingWorld(db(), { address: '+12065550000', country: 'US' });
      ({ m, ws, other, api, fake, channelUuid } = world);
    });
    after(() => closeMessagingWorld(world));

    const sentTo = (to: string) => sentTexts(fake, to);
    const reply = (from: string, text: string) => exReceive(m.app, channelUuid, from, text);
    const runOf = async (contact: string) => (await api.get(`/api/v2/runs.json?contact=${contact}`)).json().results[0];

    test('the asset file imports as it is: the flow (spec 13, migrated) and its fields', async () => {
      const summary = await importDefinitions(db().db, ws.workspace, assets, async () => {});
      assert.deepEqual(summary.flows.map((f) => [f.uuid, f.name, f.created]), [[flowUuid, assets.flows[0].name, true]]);
      assert.deepEqual(summary.fields.map((f) => f.key).sort(), assets.fields.map((f: any) => f.key).sort());
      const flow = (await api.get(`/api/v2/flows.json?uuid=${flowUuid}`)).json().results[0];
      assert.equal(flow.name, 'Two Questions');
      assert.deepEqual(flow.results.map((r: any) => r.key), ['favorite_color', 'soda']);
      assert.deepEqual((await api.as(other.admin.token).get(`/api/v2/flows.json?uuid=${flowUuid}`)).json().results, []);
    });

    test('started through flow_starts.json and answered through the EX receive URL as the runner test answers it', async () => {
      const contact = (await api.post('/api/v2/contacts.json', { name: scenario.contact.name, language: scenario.contact.language, urns: [`tel:${phone}`] })).json();
      const start = await api.post('/api/v2/flow_starts.json', { flow: flowUuid, contacts: [contact.uuid] });
      assert.equal(start.statusCode, 201, start.body);
      await waitUntil(() => sentTo(phone).length === 1, 20_000, 'the first question sent');
      assert.equal(sentTo(phone)[0], expectedTexts[0]);
      for (const [i, answer] of answers.entries()) {
        await reply(phone, answer);
        await waitUntil(() => sentTo(phone).length === i + 2, 20_000, `the reply to "${answer}" sent`);
      }
      const sent = sentTo(phone);
      assert.deepEqual(sent.slice(0, -1), expectedTexts.slice(0, -1));
      // the last message reports the webhook's status, which the runner test mocks and no service here answers
      assert.ok(sent.at(-1)!.startsWith(expectedTexts.at(-1)!), sent.at(-1)!);

      const run = await runOf(contact.uuid);
      assert.equal(run.flow.uuid, flowUuid);
      assert.equal(run.start.uuid, start.json().uuid);
      assert.equal(run.exit_type, 'completed');
      assert.equal(run.responded, true);
      for (const e of expectedResults) {
        const key = e.name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
        assert.deepEqual([run.values[key].value, run.values[key].category], [e.value, e.category], key);
      }
      const msgs = (await api.get(`/api/v2/messages.json?contact=${contact.uuid}`)).json().results.reverse();
      assert.deepEqual(msgs.map((x: any) => x.direction), ['out', 'in', 'out', 'in', 'out']);
      assert.deepEqual(msgs.filter((x: any) => x.direction === 'in').map((x: any) => x.text), answers);
      assert.ok(msgs.every((x: any) => x.flow?.uuid === flowUuid));
      assert.deepEqual(msgs[0].quick_replies.map((q: any) => q.text ?? q), ['Red', 'Blue']);
      // another workspace sees none of it
      assert.deepEqual((await api.as(other.admin.token).get(`/api/v2/runs.json?flow=${flowUuid}`)).json().results, []);
      assert.deepEqual((await api.as(other.admin.token).get(`/api/v2/messages.json?contact=${contact.uuid}`)).json().results, []);
    });

    test('expiring while waiting ends as the runner test ends: run expired, session completed (as mailroom stores it)', async () => {
      const expected = expiring.outputs.at(-1).session;
      const expiringPhone = '+12065551313';
      const contact = (await api.post('/api/v2/contacts.json', { name: 'Expiring', urns: [`tel:${expiringPhone}`] })).json();
      assert.equal((await api.post('/api/v2/flow_starts.json', { flow: flowUuid, contacts: [contact.uuid] })).statusCode, 201);
      await waitUntil(() => sentTo(expiringPhone).length === 1, 20_000, 'the first question sent');
      const contactId = (await db().db.selectFrom('contacts').select('id').where('uuid', '=', contact.uuid).executeTakeFirstOrThrow()).id;
      assert.ok(await resumeWait({ db: db().db, sink: messagingSink(m.jobs), jobs: m.jobs }, ws.workspace, contactId, 'expiration'));
      const run = await runOf(contact.uuid);
      assert.equal(run.exit_type, expected.runs[0].status);
      assert.ok(run.exited_on);
      const session = await db().db.selectFrom('flow_sessions').select(['status', 'ended_on']).where('contact_id', '=', contactId).executeTakeFirstOrThrow();
      assert.deepEqual([session.status, !!session.ended_on], [{ completed: 'C', expired: 'X' }[expected.status as string], true]);
      assert.equal((await api.get(`/api/v2/contacts.json?uuid=${contact.uuid}`)).json().results[0].flow, null);
    });
  });
}
