import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { forEachDatabase } from '../testing/databases.ts';
import { createWorkspace, type Workspace } from './workspaces.ts';
import { createSmartGroup, refreshSmartGroups, SmartGroupQueryError, validateGroupQuery } from './smart-groups.ts';
import { createJobQueue, type JobQueue } from '../jobs/index.ts';

async function waitFor(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

forEachDatabase('smart groups', (db) => {
  let ws: Workspace;
  let other: Workspace;
  let jobs: JobQueue;
  let ageField: number;
  before(async () => {
    const d = db().db;
    jobs = createJobQueue(db(), { pollingIntervalSeconds: 0.5 });
    await jobs.work();
    ws = await createWorkspace(d, { name: 'Smart', country: 'RW', timezone: 'Africa/Kigali' });
    other = await createWorkspace(d, { name: 'Other' });
    ageField = (await d.insertInto('contact_fields').values({ uuid: randomUUID(), org_id: ws.id, key: 'age', name: 'Age', value_type: 'number' }).returning('id').executeTakeFirstOrThrow()).id;
  });
  after(async () => jobs?.stop());

  const addContact = async (orgId: number, name: string, age?: number) => {
    const r = await sql<{ id: number }>`INSERT INTO contacts (uuid, org_id, name) VALUES (${randomUUID()}, ${orgId}, ${name}) RETURNING id`.execute(db().db);
    const id = r.rows[0].id;
    if (age !== undefined) await setAge(id, age);
    return id;
  };
  const setAge = async (id: number, age: number | null) => {
    await sql`DELETE FROM contact_field_values WHERE contact_id = ${id} AND field_id = ${ageField}`.execute(db().db);
    if (age !== null) {
      await sql`INSERT INTO contact_field_values (contact_id, field_id, org_id, text_value, number_value) VALUES (${id}, ${ageField}, ${ws.id}, ${String(age)}, ${age})`.execute(db().db);
    }
  };
  const members = async (groupId: number) =>
    (await sql<{ contact_id: number }>`SELECT contact_id FROM contact_groups_contacts WHERE group_id = ${groupId} ORDER BY contact_id`.execute(db().db)).rows.map((r) => r.contact_id);
  const status = async (groupId: number) =>
    (await db().db.selectFrom('contact_groups').select('status').where('id', '=', groupId).executeTakeFirstOrThrow()).status;

  test('creation evaluates in the background: initializing → ready with the right members', async () => {
    const adult = await addContact(ws.id, 'Adult', 30);
    const teen = await addContact(ws.id, 'Teen', 15);
    await addContact(ws.id, 'Unknown');
    await addContact(other.id, 'Elsewhere');
    const g = await createSmartGroup(db().db, ws, 'Adults', 'age >= 18', (n, d, o) => jobs.enqueue(n, d, o));
    assert.equal(g.query, 'fields.age >= 18'); // stored in canonical form
    assert.equal(g.status, 'I');
    await waitFor(async () => (await status(g.id)) === 'R');
    assert.deepEqual(await members(g.id), [adult]);

    // a scripted sequence of contact changes, membership checked after each
    await setAge(teen, 18);
    await refreshSmartGroups(db().db, ws, [teen]);
    assert.deepEqual(await members(g.id), [adult, teen]);
    await setAge(adult, 17);
    await refreshSmartGroups(db().db, ws, [adult]);
    assert.deepEqual(await members(g.id), [teen]);
    await sql`UPDATE contacts SET status = 'B' WHERE id = ${teen}`.execute(db().db);
    await refreshSmartGroups(db().db, ws, [teen]);
    assert.deepEqual(await members(g.id), [], 'blocked contacts leave smart groups');
    await sql`UPDATE contacts SET status = 'A' WHERE id = ${teen}`.execute(db().db);
    await refreshSmartGroups(db().db, ws, [teen]);
    assert.deepEqual(await members(g.id), [teen]);
    await setAge(teen, null);
    await refreshSmartGroups(db().db, ws, [teen]);
    assert.deepEqual(await members(g.id), []);
  });

  test('a group whose field disappears becomes invalid on evaluation', async () => {
    const f = await db().db.insertInto('contact_fields').values({ uuid: randomUUID(), org_id: ws.id, key: 'temp', name: 'Temp', value_type: 'text' }).returning('id').executeTakeFirstOrThrow();
    let enqueued: any;
    const g = await createSmartGroup(db().db, ws, 'Temps', 'temp = x', async (_n, d) => void (enqueued = d));
    await db().db.updateTable('contact_fields').set({ is_active: false }).where('id', '=', f.id).execute();
    await jobs.enqueue('evaluate_group', enqueued);
    await waitFor(async () => (await status(g.id)) === 'V');
  });

  test('invalid queries are refused with RapidPro messages', async () => {
    await assert.rejects(validateGroupQuery(db().db, ws, 'id = 123'), (e: any) => e instanceof SmartGroupQueryError && e.message === 'You cannot create a smart group based on "id" or "group".');
    await assert.rejects(validateGroupQuery(db().db, ws, 'age > abc'), (e: any) => e instanceof SmartGroupQueryError && e.queryError?.code === 'invalid_number');
    // the other workspace has no age field
    await assert.rejects(validateGroupQuery(db().db, other, 'age > 1'), SmartGroupQueryError);
  });
});
