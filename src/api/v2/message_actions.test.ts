import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, type TestWorkspace } from '../../testing/api.ts';
import { makeContact, makeMsgs } from '../../testing/msgs.ts';

const ENDPOINT = '/api/v2/message_actions.json';

forEachDatabase('message_actions endpoint', (db) => {
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

  const state = async (id: number) => {
    const m = await db().db.selectFrom('msgs').select(['visibility', 'text']).where('id', '=', id).executeTakeFirstOrThrow();
    const labels = await db().db.selectFrom('msg_labels_msgs as lm').innerJoin('msg_labels as l', 'l.id', 'lm.label_id').select('l.name').where('lm.msg_id', '=', id).orderBy('l.name').execute();
    return { visibility: m.visibility, text: m.text, labels: labels.map((l) => l.name) };
  };

  test('label, unlabel, archive, restore and delete by id and by uuid; label counts follow', async () => {
    const c = await makeContact(db().db, ws.workspace.id);
    const [a, b, d] = await makeMsgs(db().db, ws.workspace.id, 3, { contactId: c.id });
    const label = (await api.post('/api/v2/labels.json', { name: 'Important' })).json();

    let res = await api.post(ENDPOINT, { messages: [a.id, b.uuid], action: 'label', label: label.uuid });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await state(a.id)).labels, ['Important']);
    assert.deepEqual((await state(b.id)).labels, ['Important']);
    const count = async () => (await api.get(`/api/v2/labels.json?uuid=${label.uuid}`)).json().results[0].count;
    assert.equal(await count(), 2);
    // labels show on the message and filter the listing (by name or uuid)
    assert.deepEqual((await api.get(`/api/v2/messages.json?label=Important`)).json().results.map((m: any) => m.id), [b.id, a.id]);
    assert.deepEqual((await api.get(`/api/v2/messages.json?label=${label.uuid}`)).json().results.length, 2);
    assert.deepEqual((await api.get(`/api/v2/messages.json?id=${a.id}`)).json().results[0].labels, [{ uuid: label.uuid, name: 'Important' }]);

    // label_name creates the label when missing
    res = await api.post(ENDPOINT, { messages: [d.id], action: 'label', label_name: 'Brand New' });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await state(d.id)).labels, ['Brand New']);

    res = await api.post(ENDPOINT, { messages: [a.id], action: 'unlabel', label: 'important' });
    assert.equal(res.statusCode, 204);
    assert.deepEqual((await state(a.id)).labels, []);
    assert.equal((await api.post(ENDPOINT, { messages: [a.id], action: 'unlabel', label_name: 'Missing Label' })).statusCode, 204);

    assert.equal((await api.post(ENDPOINT, { messages: [b.id], action: 'archive' })).statusCode, 204);
    assert.equal((await state(b.id)).visibility, 'A');
    assert.equal(await count(), 0, 'archived messages are not counted');
    assert.equal((await api.post(ENDPOINT, { messages: [b.uuid], action: 'restore' })).statusCode, 204);
    assert.equal((await state(b.id)).visibility, 'V');

    assert.equal((await api.post(ENDPOINT, { messages: [String(b.id)], action: 'delete' })).statusCode, 204);
    assert.deepEqual(await state(b.id), { visibility: 'D', text: '', labels: [] });
    // a deleted message is a failure from now on
    res = await api.post(ENDPOINT, { messages: [b.id, a.id], action: 'archive' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { failures: [b.id] });
  });

  test('failures: unknown ids, other workspaces\' messages, junk strings', async () => {
    const theirs = await makeMsgs(db().db, other.workspace.id, 1);
    const mine = await makeMsgs(db().db, ws.workspace.id, 1);
    const unknown = randomUUID();
    const res = await api.post(ENDPOINT, { messages: [theirs[0].id, theirs[0].uuid, 999999999, unknown, 'junk', mine[0].id], action: 'archive' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { failures: [theirs[0].id, theirs[0].uuid, 999999999, unknown, 'junk'] });
    assert.equal((await db().db.selectFrom('msgs').select('visibility').where('id', '=', theirs[0].id).executeTakeFirstOrThrow()).visibility, 'V');
    assert.equal((await db().db.selectFrom('msgs').select('visibility').where('id', '=', mine[0].id).executeTakeFirstOrThrow()).visibility, 'A');
    // their labels are not ours either
    const theirLabel = (await api.as(other.admin.token).post('/api/v2/labels.json', { name: 'Theirs' })).json();
    assert.deepEqual((await api.post(ENDPOINT, { messages: [mine[0].id], action: 'label', label: theirLabel.uuid })).json(), { label: [`No such object: ${theirLabel.uuid}`] });
  });

  test('validation messages', async () => {
    const [m] = await makeMsgs(db().db, ws.workspace.id, 1);
    const [out] = await makeMsgs(db().db, ws.workspace.id, 1, { direction: 'O' });
    await api.post('/api/v2/labels.json', { name: 'Spam' });
    const cases: [unknown, unknown][] = [
      [{ action: 'archive' }, { messages: ['This field is required.'] }],
      [{ messages: [m.id] }, { action: ['This field is required.'] }],
      [{ messages: [m.id], action: 'like' }, { action: ['"like" is not a valid choice.'] }],
      [{ messages: 'x', action: 'archive' }, { messages: ['Expected a list of items but got type "str".'] }],
      [{ messages: [], action: 'archive' }, { messages: ['This list may not be empty.'] }],
      [{ messages: Array(101).fill(m.id), action: 'archive' }, { messages: ['Ensure this field has no more than 100 elements.'] }],
      [{ messages: [m.id], action: 'label', label: 'nope' }, { label: ['No such object: nope'] }],
      [{ messages: [m.id], action: 'label', label: '' }, { label: ['This field may not be null.'] }],
      [{ messages: [m.id], action: 'label' }, { non_field_errors: ['For action "label" you should also specify a label'] }],
      [{ messages: [m.id], action: 'archive', label: 'Spam' }, { non_field_errors: ['For action "archive" you should not specify a label'] }],
      [{ messages: [m.id], action: 'label', label: 'Spam', label_name: 'Spam' }, { non_field_errors: ["Can't specify both label and label_name."] }],
      [{ messages: [m.id], action: 'label', label_name: 'Bad"Name' }, { label_name: ['Cannot contain the character: "'] }],
      [{ messages: [out.id], action: 'archive' }, { messages: [`Not an incoming message: ${out.id}`] }],
      ['[1]', { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    assert.equal((await api.get(ENDPOINT)).statusCode, 405);
    assert.equal((await api.as(undefined).post(ENDPOINT, { messages: [m.id], action: 'archive' })).statusCode, 403);
  });
});
