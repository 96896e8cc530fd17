import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { forEachDatabase } from '../testing/databases.ts';
import { createWorkspace, type Workspace } from '../models/workspaces.ts';
import { evaluateQuery, QueryError, type QueryableContact } from '../engine/contactql/index.ts';
import { compileSearch, queryEnvironment } from './search.ts';

/** Contacts as plain data: inserted into the database and handed to the evaluator alike. */
interface Seed {
  name: string | null;
  language?: string;
  status?: 'A' | 'B' | 'S' | 'V';
  createdOn: string;
  lastSeenOn?: string;
  urns: [string, string][];
  fields: Record<string, { text: string; number?: string; datetime?: string; state?: string }>;
  groups: string[];
}

const SEEDS: Seed[] = [
  { name: 'Bob Smith', language: 'eng', createdOn: '2024-01-10T08:00:00Z', lastSeenOn: '2024-03-01T10:00:00Z',
    urns: [['tel', '+250788123123'], ['twitter', 'bobby']], fields: { age: { text: '25', number: '25' }, gender: { text: 'M' }, district: { text: 'Gasabo', state: 'Rwanda > Kigali > Gasabo' } }, groups: ['Reporters'] },
  { name: 'Alice Jones', language: 'fra', createdOn: '2024-01-11T23:30:00Z',
    urns: [['tel', '+250788555000']], fields: { age: { text: '17', number: '17' }, gender: { text: 'f' }, joined: { text: '2023-05-02', datetime: '2023-05-02T10:00:00Z' } }, groups: ['Reporters', 'Youth'] },
  { name: 'José Ñúñez', createdOn: '2024-02-01T00:00:00Z', status: 'B',
    urns: [['whatsapp', '250700000001']], fields: { age: { text: 'thirty' } }, groups: [] },
  { name: null, createdOn: '2024-02-05T12:00:00Z', lastSeenOn: '2024-02-06T00:00:00Z',
    urns: [], fields: { gender: { text: ' F ' }, age: { text: '40.5', number: '40.5' } }, groups: ['Youth'] },
  { name: 'jo', language: 'eng', createdOn: '2024-02-05T22:30:00Z',
    urns: [['tel', '+12065551212'], ['mailto', 'jo@example.com']], fields: {}, groups: [] },
];

const FIELDS: [string, string][] = [['age', 'number'], ['gender', 'text'], ['district', 'state'], ['joined', 'datetime'], ['nickname', 'text']];

/** Queries both sides must agree on, against the seeds above (workspace tz Africa/Kigali, UTC+2). */
const QUERIES = [
  'age > 18', 'age >= 25', 'age < 18', 'age <= 17', 'age = 25', 'age != 25', 'age = ""', 'age != ""', 'age > 40.4',
  'gender = f', 'gender = "F"', 'gender != f', 'gender = ""', 'nickname = ""', 'nickname != ""',
  'district = gasabo', 'district = kigali',
  'joined = 02-05-2023', 'joined > 01-05-2023', 'joined < 03-05-2023', 'joined != 02-05-2023', 'joined = ""',
  'name = "bob smith"', 'name ~ bo', 'name ~ "smi"', 'name ~ jos', 'name ~ jo', 'name = ""', 'name != ""', 'name != "Bob Smith"',
  'bob', 'smith bob', 'alice OR bob', 'nobody',
  'tel = +250788123123', 'tel ~ 0788', 'tel ~ 555', 'tel = ""', 'tel != ""', 'tel != +250788123123',
  'urn = +250788555000', 'urn ~ example', 'mailto = jo@example.com', 'whatsapp ~ 25070', 'twitter = bobby',
  '+250788123123', '0788 555 000',
  'language = eng', 'language != eng', 'language = ""',
  'status = blocked', 'status = active', 'status != active',
  'group = reporters', 'group = "Youth"', 'group != youth', 'group = ""', 'group != ""',
  'created_on = 11-01-2024', 'created_on = 12-01-2024', 'created_on > 01-02-2024', 'created_on <= 05-02-2024', 'created_on >= 06-02-2024',
  'last_seen_on = ""', 'last_seen_on > 01-01-2024', 'last_seen_on != 06-02-2024',
  'age > 18 AND gender = f', 'age > 18 OR gender = f', '(age < 20 OR name ~ jo) AND language = eng', 'gender = f group = youth',
  'tickets = 0', 'tickets > 0', 'flow = ""',
];

forEachDatabase('contact query SQL compiler', (db) => {
  let ws: Workspace;
  let other: Workspace;
  const contacts: { id: number; view: QueryableContact }[] = [];

  before(async () => {
    const d = db().db;
    ws = await createWorkspace(d, { name: 'Search', country: 'RW', timezone: 'Africa/Kigali', dateStyle: 'day_first' });
    other = await createWorkspace(d, { name: 'Other', country: 'RW', timezone: 'Africa/Kigali' });
    const fieldIds = new Map<string, number>();
    for (const [key, type] of FIELDS) {
      const f = await d.insertInto('contact_fields').values({ uuid: randomUUID(), org_id: ws.id, key, name: key, value_type: type }).returning('id').executeTakeFirstOrThrow();
      fieldIds.set(key, f.id);
    }
    const groups = new Map<string, { id: number; uuid: string }>();
    for (const name of ['Reporters', 'Youth']) {
      const g = await d.insertInto('contact_groups').values({ uuid: randomUUID(), org_id: ws.id, name, group_type: 'M' }).returning(['id', 'uuid']).executeTakeFirstOrThrow();
      groups.set(name, g);
    }
    for (const s of SEEDS) {
      const uuid = randomUUID();
      const row = await sql<{ id: number }>`INSERT INTO contacts (uuid, org_id, name, language, status, created_on, modified_on, last_seen_on)
        VALUES (${uuid}, ${ws.id}, ${s.name}, ${s.language ?? null}, ${s.status ?? 'A'}, ${s.createdOn}, ${s.createdOn}, ${s.lastSeenOn ?? null}) RETURNING id`.execute(d);
      const id = row.rows[0].id;
      for (const [scheme, path] of s.urns) {
        await sql`INSERT INTO contact_urns (org_id, contact_id, scheme, path, identity) VALUES (${ws.id}, ${id}, ${scheme}, ${path}, ${`${scheme}:${path}`})`.execute(d);
      }
      for (const [key, v] of Object.entries(s.fields)) {
        await sql`INSERT INTO contact_field_values (contact_id, field_id, org_id, text_value, number_value, datetime_value, state_value)
          VALUES (${id}, ${fieldIds.get(key)!}, ${ws.id}, ${v.text}, ${v.number ?? null}, ${v.datetime ?? null}, ${v.state ?? null})`.execute(d);
      }
      for (const g of s.groups) await sql`INSERT INTO contact_groups_contacts (group_id, contact_id) VALUES (${groups.get(g)!.id}, ${id})`.execute(d);
      const statuses = { A: 'active', B: 'blocked', S: 'stopped', V: 'archived' } as const;
      contacts.push({
        id,
        view: {
          uuid, id, name: s.name, language: s.language ?? null, status: statuses[s.status ?? 'A'],
          createdOn: s.createdOn, lastSeenOn: s.lastSeenOn ?? null,
          urns: s.urns.map(([scheme, path]) => ({ scheme, path })),
          groups: s.groups.map((g) => ({ uuid: groups.get(g)!.uuid, name: g })),
          flow: null, history: [], tickets: 0,
          fields: Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [k, { text: v.text, number: v.number ?? null, datetime: v.datetime ?? null, state: v.state ?? null }])),
        },
      });
    }
    // A look-alike in another workspace must never match.
    await sql`INSERT INTO contacts (uuid, org_id, name) VALUES (${randomUUID()}, ${other.id}, 'Bob Smith')`.execute(d);
  });

  async function sqlMatches(text: string): Promise<number[]> {
    const { where } = await compileSearch(db().db, ws, text, new Date('2026-01-01T00:00:00Z'));
    const rows = await sql<{ id: number }>`SELECT c.id FROM contacts c WHERE c.org_id = ${ws.id} AND c.is_active AND ${where} ORDER BY c.id`.execute(db().db);
    return rows.rows.map((r) => r.id);
  }

  test('SQL and the in-memory evaluator agree on every case', async () => {
    const env = queryEnvironment(ws);
    let nonTrivial = 0;
    for (const text of QUERIES) {
      const { query } = await compileSearch(db().db, ws, text, new Date('2026-01-01T00:00:00Z'));
      const expected = contacts.filter((c) => evaluateQuery(query, c.view, env)).map((c) => c.id).sort((a, b) => a - b);
      assert.deepEqual(await sqlMatches(text), expected, `query: ${text}`);
      if (expected.length > 0 && expected.length < contacts.length) nonTrivial++;
    }
    assert.ok(nonTrivial > QUERIES.length / 2, `only ${nonTrivial} queries split the contacts: the table is too weak`);
  });

  test('known answers (guards against both sides being wrong the same way)', async () => {
    const names = async (q: string) => {
      const ids = await sqlMatches(q);
      return SEEDS.filter((_, i) => ids.includes(contacts[i].id)).map((s) => s.name);
    };
    assert.deepEqual(await names('age > 18'), ['Bob Smith', null]);
    assert.deepEqual(await names('tel ~ 0788'), ['Bob Smith', 'Alice Jones']);
    assert.deepEqual(await names('group = youth AND gender = f'), ['Alice Jones', null]);
    assert.deepEqual(await names('created_on = 05-02-2024'), [null]); // 22:30Z is already the 6th in Kigali
  });

  test('bad queries raise RapidPro errors', async () => {
    await assert.rejects(compileSearch(db().db, ws, 'age > abc'), (e: unknown) => e instanceof QueryError && e.code === 'invalid_number');
    await assert.rejects(compileSearch(db().db, ws, 'unknownfield = 1'), (e: unknown) => e instanceof QueryError && e.code === 'unknown_property');
    await assert.rejects(compileSearch(db().db, ws, 'group = nosuch'), (e: unknown) => e instanceof QueryError && e.code === 'invalid_group');
    await assert.rejects(compileSearch(db().db, ws, '(age > 1'), (e: unknown) => e instanceof QueryError && e.code === 'syntax');
  });

  test('user input is bound, never spliced into SQL', async () => {
    const { where } = await compileSearch(db().db, ws, `name = "x'; DROP TABLE contacts; --"`);
    const compiled = sql`SELECT 1 FROM contacts c WHERE ${where}`.compile(db().db);
    assert.ok(!compiled.sql.includes('DROP TABLE'), compiled.sql);
    assert.ok(compiled.parameters.includes("x'; drop table contacts; --"));
  });

  test("other workspaces' fields and groups are unknown to the query", async () => {
    await assert.rejects(compileSearch(db().db, other, 'age > 1'), (e: unknown) => e instanceof QueryError && e.code === 'unknown_property');
    await assert.rejects(compileSearch(db().db, other, 'group = reporters'), (e: unknown) => e instanceof QueryError);
  });
});
