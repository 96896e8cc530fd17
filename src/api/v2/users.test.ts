import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeApp, makeWorkspace, listAll, type TestWorkspace } from '../../testing/api.ts';
import { addMember, removeMember } from '../../models/users.ts';

const ENDPOINT = '/api/v2/users.json';
const emailsOf = (res: { json(): any }) => res.json().results.map((u: any) => u.email);

forEachDatabase('users endpoint', (db) => {
  let app: FastifyInstance;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  let viewer: { id: number; uuid: string; email: string };
  let uuids: Record<string, string>;
  let teamUuid: string;

  before(async () => {
    app = await makeApp(db().db);
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(app, ws.admin.token);
    viewer = await addMember(db().db, ws.workspace.id, { email: `Viewer.${Math.random().toString(36).slice(2, 8)}@Example.com`, role: 'viewer', firstName: 'Vic' });
    // deterministic join dates: admin oldest, then editor, agent, viewer
    const order = [ws.admin.userId, ws.editor.userId, ws.agent.userId, viewer.id];
    for (const [i, id] of order.entries()) {
      await db().db.updateTable('users').set({ date_joined: new Date(Date.UTC(2025, 0, 1 + i, 10, 0, 0, 123)) }).where('id', '=', id).execute();
    }
    await db().db.updateTable('users').set({ avatar: 'https://cdn.example.com/avatars/ed.png' }).where('id', '=', ws.editor.userId).execute();
    const rows = await db().db.selectFrom('users').select(['id', 'uuid']).where('id', 'in', order).execute();
    const byId = new Map(rows.map((r) => [Number(r.id), r.uuid]));
    uuids = { admin: byId.get(ws.admin.userId)!, editor: byId.get(ws.editor.userId)!, agent: byId.get(ws.agent.userId)!, viewer: viewer.uuid };
    teamUuid = (await db().db.selectFrom('teams').select('uuid').where('org_id', '=', ws.workspace.id).where('is_system', '=', true).executeTakeFirstOrThrow()).uuid;
  });
  after(async () => app?.close());

  test('lists the members newest first with every field', async () => {
    const res = await api.get(ENDPOINT);
    assert.equal(res.statusCode, 200, res.body);
    const page = res.json();
    assert.equal(page.next, null);
    assert.equal(page.previous, null);
    assert.deepEqual(Object.keys(page.results[0]), ['uuid', 'name', 'email', 'role', 'team', 'created_on', 'avatar', 'first_name', 'last_name']);
    const n = ws.workspace.name.replace('Workspace ', '');
    assert.deepEqual(page.results, [
      { uuid: uuids.viewer, name: 'Vic', email: viewer.email, role: 'viewer', team: null, created_on: '2025-01-04T10:00:00.123000Z', avatar: null, first_name: 'Vic', last_name: '' },
      {
        uuid: uuids.agent, name: `agent Number${n}`, email: ws.agent.email, role: 'agent', team: { uuid: teamUuid, name: 'All Topics' },
        created_on: '2025-01-03T10:00:00.123000Z', avatar: null, first_name: 'agent', last_name: `Number${n}`,
      },
      {
        uuid: uuids.editor, name: `editor Number${n}`, email: ws.editor.email, role: 'editor', team: null,
        created_on: '2025-01-02T10:00:00.123000Z', avatar: 'https://cdn.example.com/avatars/ed.png', first_name: 'editor', last_name: `Number${n}`,
      },
      {
        uuid: uuids.admin, name: `administrator Number${n}`, email: ws.admin.email, role: 'administrator', team: null,
        created_on: '2025-01-01T10:00:00.123000Z', avatar: null, first_name: 'administrator', last_name: `Number${n}`,
      },
    ]);
    // the editor's token sees the same list
    assert.deepEqual((await api.as(ws.editor.token).get(ENDPOINT)).json(), page);
  });

  test('filter by uuid (repeatable, validated, at most 100)', async () => {
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?uuid=${uuids.editor}&uuid=${uuids.admin}`)), [ws.editor.email, ws.admin.email]);
    // other UUID spellings Python accepts
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?uuid=${uuids.agent.toUpperCase()}`)), [ws.agent.email]);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?uuid=${uuids.agent.replace(/-/g, '')}`)), [ws.agent.email]);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?uuid=${crypto.randomUUID()}`)), []);

    const bad = await api.get(`${ENDPOINT}?uuid=${uuids.admin}&uuid=xyz`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
    const empty = await api.get(`${ENDPOINT}?uuid=`);
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(empty.json(), { detail: "Param 'uuid':  is not a valid UUID." });
    const many = await api.get(`${ENDPOINT}?${Array.from({ length: 101 }, () => `uuid=${crypto.randomUUID()}`).join('&')}`);
    assert.equal(many.statusCode, 400);
    assert.deepEqual(many.json(), { detail: "Param 'uuid' can have a maximum of 100 values." });
    const hundred = await api.get(`${ENDPOINT}?${[uuids.admin, ...Array.from({ length: 99 }, () => crypto.randomUUID())].map((u) => `uuid=${u}`).join('&')}`);
    assert.equal(hundred.statusCode, 200);
    assert.deepEqual(emailsOf(hundred), [ws.admin.email]);
  });

  test('filter by email (repeatable, case-insensitive)', async () => {
    const q = `email=${encodeURIComponent(ws.agent.email)}&email=${encodeURIComponent(ws.editor.email.toUpperCase())}`;
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?${q}`)), [ws.agent.email, ws.editor.email]);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?email=${encodeURIComponent(viewer.email.toLowerCase())}`)), [viewer.email]);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?email=nobody@example.com`)), []);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?email=`)), []);
    // filters combine
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?${q}&role=agent`)), [ws.agent.email]);
  });

  test('filter by role (repeatable; unknown roles dropped; all unknown means none)', async () => {
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?role=agent&role=editor`)), [ws.agent.email, ws.editor.email]);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?role=caretaker&role=editor`)), [ws.editor.email]);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?role=administrator`)), [ws.admin.email]);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?role=viewer`)), [viewer.email]);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?role=caretaker`)), []);
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?role=Editor`)), []); // names are exact
    assert.deepEqual(emailsOf(await api.get(`${ENDPOINT}?role=`)), []);
  });

  test('only active members of the workspace, each with their role there', async () => {
    const t = await makeWorkspace(db().db);
    const c = api.as(t.admin.token);
    // the workspace's editor is an agent here: listed here as agent with this workspace's team
    await addMember(db().db, t.workspace.id, { email: ws.editor.email, role: 'agent' });
    const theirTeam = (await db().db.selectFrom('teams').select('uuid').where('org_id', '=', t.workspace.id).where('is_system', '=', true).executeTakeFirstOrThrow()).uuid;
    const shared = (await c.get(`${ENDPOINT}?uuid=${uuids.editor}`)).json().results;
    assert.equal(shared.length, 1);
    assert.equal(shared[0].role, 'agent');
    assert.deepEqual(shared[0].team, { uuid: theirTeam, name: 'All Topics' });
    assert.equal((await api.get(`${ENDPOINT}?uuid=${uuids.editor}`)).json().results[0].role, 'editor');

    // removed members and deactivated users disappear
    assert.equal(emailsOf(await c.get(ENDPOINT)).length, 4);
    await removeMember(db().db, t.workspace.id, t.agent.userId);
    await db().db.updateTable('users').set({ is_active: false }).where('id', '=', t.editor.userId).execute();
    assert.deepEqual(emailsOf(await c.get(ENDPOINT)).sort(), [t.admin.email, ws.editor.email].sort());
  });

  test('pagination walks 300 members', async () => {
    const t = await makeWorkspace(db().db);
    const users = await db().db
      .insertInto('users')
      .values(Array.from({ length: 297 }, (_, i) => ({
        uuid: crypto.randomUUID(), email: `bulk${i}.${t.workspace.uuid}@example.com`, avatar: null,
        date_joined: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 10)),
      })))
      .returning('id')
      .execute();
    await db().db.insertInto('org_memberships').values(users.map((u) => ({ org_id: t.workspace.id, user_id: u.id, role: 'editor' }))).execute();
    const c = api.as(t.admin.token);
    const first = (await c.get(`${ENDPOINT}?role=editor&role=administrator&role=agent`, { host: 'rp.example.com' })).json();
    assert.equal(first.results.length, 250);
    assert.equal(first.previous, null);
    assert.match(first.next, /^http:\/\/rp\.example\.com\/api\/v2\/users\.json\?cursor=[^&]+&role=editor&role=administrator&role=agent$/);
    const all = await listAll(c, `${ENDPOINT}?role=editor&role=administrator&role=agent`);
    assert.equal(all.length, 300);
    assert.equal(new Set(all.map((u) => u.uuid)).size, 300);
    const stamps = all.map((u) => u.created_on);
    assert.deepEqual(stamps, [...stamps].sort().reverse());
    const second = (await c.get(new URL(first.next).pathname + new URL(first.next).search)).json();
    const back = (await c.get(new URL(second.previous).pathname + new URL(second.previous).search)).json();
    assert.deepEqual(back.results.map((u: any) => u.uuid), first.results.map((u: any) => u.uuid));
    const bad = await c.get(`${ENDPOINT}?cursor=garbage!!`);
    assert.equal(bad.statusCode, 404);
    assert.deepEqual(bad.json(), { detail: 'Invalid cursor' });
  });

  test('GET only: POST and DELETE are 405, even anonymously; anonymous GET is 403', async () => {
    for (const c of [api, api.as(undefined)]) {
      const post = await c.post(ENDPOINT, { email: 'new@example.com' });
      assert.equal(post.statusCode, 405);
      assert.deepEqual(post.json(), { detail: 'Method "POST" not allowed.' });
      const del = await c.delete(`${ENDPOINT}?uuid=${uuids.agent}`);
      assert.equal(del.statusCode, 405);
      assert.deepEqual(del.json(), { detail: 'Method "DELETE" not allowed.' });
    }
    const anon = await api.as(undefined).get(ENDPOINT);
    assert.equal(anon.statusCode, 403);
    assert.deepEqual(anon.json(), { detail: 'Authentication credentials were not provided.' });
  });

  test('another workspace cannot see the users', async () => {
    const o = api.as(other.admin.token);
    const theirs = emailsOf(await o.get(ENDPOINT));
    assert.deepEqual(theirs.sort(), [other.admin.email, other.editor.email, other.agent.email].sort());
    assert.deepEqual(emailsOf(await o.get(`${ENDPOINT}?uuid=${uuids.admin}&uuid=${uuids.viewer}`)), []);
    assert.deepEqual(emailsOf(await o.get(`${ENDPOINT}?email=${encodeURIComponent(ws.admin.email)}`)), []);
    // and the agent's team is their own workspace's
    const agent = (await o.get(`${ENDPOINT}?role=agent`)).json().results[0];
    assert.notEqual(agent.team.uuid, teamUuid);
  });
});
