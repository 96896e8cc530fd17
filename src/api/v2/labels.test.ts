import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { updateWorkspace } from '../../models/workspaces.ts';
import { makeMsgs } from '../../testing/msgs.ts';

const ENDPOINT = '/api/v2/labels.json';
const UNIQUE = { name: ['This field must be unique.'] };
const LIMIT = { detail: 'Cannot create object because workspace has reached limit.' };

forEachDatabase('labels endpoint', (db) => {
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

  /** Labels n new incoming messages of the label's workspace. */
  async function labelMessages(uuid: string, n: number): Promise<number[]> {
    const label = await db().db.selectFrom('msg_labels').select(['id', 'org_id']).where('uuid', '=', uuid).executeTakeFirstOrThrow();
    const ids = (await makeMsgs(db().db, label.org_id, n)).map((m) => m.id);
    await db().db.insertInto('msg_labels_msgs').values(ids.map((msg_id) => ({ label_id: label.id, msg_id }))).execute();
    return ids;
  }
  async function labellings(uuid: string): Promise<number> {
    const r = await db().db
      .selectFrom('msg_labels_msgs as lm')
      .innerJoin('msg_labels as l', 'l.id', 'lm.label_id')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('l.uuid', '=', uuid)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  test('create, list newest first with counts, filter', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.editor.token);
    assert.deepEqual((await c.get(ENDPOINT)).json(), { next: null, previous: null, results: [] });
    const created = await c.post(ENDPOINT, { name: ' Important ' });
    assert.equal(created.statusCode, 201, created.body);
    const important = created.json();
    assert.match(important.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(important, { uuid: important.uuid, name: 'Important', count: 0 });
    const spam = (await c.post(ENDPOINT, { name: 'Spam' })).json();
    await labelMessages(important.uuid, 2);

    const list = await c.get(ENDPOINT);
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().results, [
      { uuid: spam.uuid, name: 'Spam', count: 0 },
      { uuid: important.uuid, name: 'Important', count: 2 },
    ]);

    const names = async (qs: string) => {
      const res = await c.get(`${ENDPOINT}?${qs}`);
      assert.equal(res.statusCode, 200, `${qs}: ${res.body}`);
      return res.json().results.map((l: any) => l.name);
    };
    assert.deepEqual(await names(`uuid=${important.uuid}`), ['Important']);
    assert.deepEqual(await names(`uuid=${important.uuid.toUpperCase()}`), ['Important']);
    assert.deepEqual(await names(`uuid=${crypto.randomUUID()}`), []);
    assert.deepEqual(await names('name=SPAM'), ['Spam']);
    assert.deepEqual(await names('name=Spa'), []);
    assert.deepEqual(await names('name=Sp%00am'), []); // a NUL matches nothing (never a 500)

    const both = await c.get(`${ENDPOINT}?uuid=${spam.uuid}&name=spam`);
    assert.equal(both.statusCode, 400);
    assert.deepEqual(both.json(), { detail: 'You may only specify one of the uuid, name parameters' });
    const bad = await c.get(`${ENDPOINT}?uuid=xyz`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
  });

  test('validation messages', async () => {
    const cases: [unknown, unknown][] = [
      [{}, { name: ['This field is required.'] }],
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: null }, { name: ['This field may not be null.'] }],
      [{ name: { a: 1 } }, { name: ['Not a valid string.'] }],
      [{ name: '"Hi"' }, { name: ['Cannot contain the character: "'] }],
      [{ name: 'a\\b' }, { name: ['Cannot contain the character: \\'] }],
      [{ name: 'x'.repeat(65) }, { name: ['Cannot be longer than 64 characters.', 'Ensure this field has no more than 64 characters.'] }],
      [{ name: 'a\u0000b' }, { name: ['Cannot contain null characters.', 'Null characters are not allowed.'] }],
      [[], { non_field_errors: ['Request body should be a single JSON object'] }],
    ];
    for (const [body, expected] of cases) {
      const res = await api.post(ENDPOINT, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual(res.json(), expected, JSON.stringify(body));
    }
    assert.equal((await api.post(ENDPOINT, { name: 'Reporting' })).statusCode, 201);
    const dup = await api.post(ENDPOINT, { name: 'REPORTING' });
    assert.equal(dup.statusCode, 400);
    assert.deepEqual(dup.json(), UNIQUE);
    const form = await api.request('POST', ENDPOINT, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=Form+Label' });
    assert.equal(form.statusCode, 201, form.body);
    assert.equal(form.json().name, 'Form Label');
  });

  test('update renames by uuid; unknown and malformed uuids', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    const l = (await c.post(ENDPOINT, { name: 'Feedback' })).json();
    await c.post(ENDPOINT, { name: 'Questions' });
    await labelMessages(l.uuid, 1);
    const upd = await c.post(`${ENDPOINT}?uuid=${l.uuid}`, { name: 'User Feedback' });
    assert.equal(upd.statusCode, 200, upd.body);
    assert.deepEqual(upd.json(), { uuid: l.uuid, name: 'User Feedback', count: 1 });
    assert.equal((await c.post(`${ENDPOINT}?uuid=${l.uuid}`, { name: 'user feedback' })).statusCode, 200);
    assert.deepEqual((await c.post(`${ENDPOINT}?uuid=${l.uuid}`, { name: 'questions' })).json(), UNIQUE);
    assert.deepEqual((await c.post(`${ENDPOINT}?uuid=${l.uuid}`, {})).json(), { name: ['This field is required.'] });

    const missing = await c.post(`${ENDPOINT}?uuid=${crypto.randomUUID()}`, { name: 'Nope' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { detail: 'Not found.' });
    const bad = await c.post(`${ENDPOINT}?uuid=not-a-uuid`, { name: 'Nope' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': not-a-uuid is not a valid UUID." });
  });

  test('delete soft-deletes and removes the label from its messages', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.editor.token);
    const l = (await c.post(ENDPOINT, { name: 'Old' })).json();
    const keep = (await c.post(ENDPOINT, { name: 'Keep' })).json();
    await labelMessages(l.uuid, 3);
    await labelMessages(keep.uuid, 1);

    const none = await c.delete(ENDPOINT);
    assert.equal(none.statusCode, 400);
    assert.deepEqual(none.json(), { detail: 'URL must contain one of the following parameters: uuid' });
    const bad = await c.delete(`${ENDPOINT}?uuid=xyz`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
    const missing = await c.delete(`${ENDPOINT}?uuid=${crypto.randomUUID()}`);
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { detail: 'Not found.' });

    const del = await c.delete(`${ENDPOINT}?uuid=${l.uuid}`);
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, '');
    const row = await db().db.selectFrom('msg_labels').select('is_active').where('uuid', '=', l.uuid).executeTakeFirstOrThrow();
    assert.equal(row.is_active, false);
    assert.equal(await labellings(l.uuid), 0);
    assert.equal(await labellings(keep.uuid), 1);
    assert.deepEqual((await c.get(ENDPOINT)).json().results.map((x: any) => x.name), ['Keep']);
    assert.equal((await c.delete(`${ENDPOINT}?uuid=${l.uuid}`)).statusCode, 404);
    assert.equal((await c.post(`${ENDPOINT}?uuid=${l.uuid}`, { name: 'Back' })).statusCode, 404);
    assert.equal((await c.post(ENDPOINT, { name: 'OLD' })).statusCode, 201); // the name is free again
  });

  test('workspace limit gives 409; flagged workspaces cannot write', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    await updateWorkspace(db().db, t.workspace.id, { limits: { labels: 2 } });
    const one = (await c.post(ENDPOINT, { name: 'One' })).json();
    assert.equal((await c.post(ENDPOINT, { name: 'Two' })).statusCode, 201);
    const res = await c.post(ENDPOINT, { name: 'Three' });
    assert.equal(res.statusCode, 409);
    assert.deepEqual(res.json(), LIMIT);
    assert.deepEqual((await c.post(ENDPOINT, [])).json(), LIMIT); // before the body is looked at
    assert.equal((await c.post(`${ENDPOINT}?uuid=${one.uuid}`, { name: 'Uno' })).statusCode, 200);
    assert.equal((await c.delete(`${ENDPOINT}?uuid=${one.uuid}`)).statusCode, 204);
    assert.equal((await c.post(ENDPOINT, { name: 'Three' })).statusCode, 201);

    await updateWorkspace(db().db, t.workspace.id, { isFlagged: true });
    const flagged = await c.post(`${ENDPOINT}?uuid=${(await c.get(`${ENDPOINT}?name=three`)).json().results[0].uuid}`, { name: 'Tres' });
    assert.equal(flagged.statusCode, 400);
    assert.deepEqual(flagged.json(), {
      non_field_errors: ['Sorry, your workspace is currently flagged. To re-enable starting flows and sending messages, please contact support.'],
    });
  });

  test('pagination walks 260 labels', async () => {
    const t = await makeWorkspace(db().db);
    await db().db
      .insertInto('msg_labels')
      .values(Array.from({ length: 260 }, (_, i) => ({ uuid: crypto.randomUUID(), org_id: t.workspace.id, name: `L${i}`, created_on: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 3)) })))
      .execute();
    const c = api.as(t.admin.token);
    const first = (await c.get(ENDPOINT)).json();
    assert.equal(first.results.length, 250);
    assert.match(first.next, /^http:\/\/localhost(:80)?\/api\/v2\/labels\.json\?cursor=/);
    const all = await listAll(c, ENDPOINT);
    assert.equal(all.length, 260);
    assert.equal(new Set(all.map((l) => l.uuid)).size, 260);
  });

  test('methods and permissions', async () => {
    assert.equal((await api.request('PATCH', ENDPOINT)).statusCode, 405);
    const anon = api.as(undefined);
    assert.equal((await anon.get(ENDPOINT)).statusCode, 403);
    assert.equal((await anon.delete(`${ENDPOINT}?uuid=${crypto.randomUUID()}`)).statusCode, 403);
  });

  test('another workspace cannot list, read, update or delete the labels', async () => {
    const l = (await api.post(ENDPOINT, { name: 'Private' })).json();
    const o = api.as(other.admin.token);
    assert.ok(!(await o.get(ENDPOINT)).json().results.some((x: any) => x.uuid === l.uuid));
    assert.deepEqual((await o.get(`${ENDPOINT}?uuid=${l.uuid}`)).json().results, []);
    assert.deepEqual((await o.get(`${ENDPOINT}?name=private`)).json().results, []);
    assert.equal((await o.post(`${ENDPOINT}?uuid=${l.uuid}`, { name: 'Hijack' })).statusCode, 404);
    assert.equal((await o.delete(`${ENDPOINT}?uuid=${l.uuid}`)).statusCode, 404);
    assert.deepEqual((await api.get(`${ENDPOINT}?uuid=${l.uuid}`)).json().results, [l]);
    assert.equal((await o.post(ENDPOINT, { name: 'Private' })).statusCode, 201);
  });
});
