// Contact search on a large workspace: our path (parse + resolve + compile + query) for the first
// page of results next to the raw SQL it compiles to, and a full smart-group evaluation next to a
// raw INSERT ... SELECT. 1M contacts on the PostgreSQL server, 100k on embedded PGlite
// (BENCH_CONTACTS overrides both).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../src/db/open.ts';
import { openScratchDatabase } from './scratch.ts';
import { createWorkspace } from '../src/models/workspaces.ts';
import { compileSearch } from '../src/search/search.ts';
import { evaluateSmartGroup } from '../src/models/smart-groups.ts';


async function seed(d: Database, n: number) {
  const ws = await createWorkspace(d.db, { name: 'Bench', country: 'RW', timezone: 'Africa/Kigali' });
  const field = async (key: string, type: string) =>
    (await d.db.insertInto('contact_fields').values({ uuid: randomUUID(), org_id: ws.id, key, name: key, value_type: type }).returning('id').executeTakeFirstOrThrow()).id;
  const district = await field('district', 'text');
  const age = await field('age', 'number');
  const t0 = Date.now();
  const names = ['Jean', 'Marie', 'Eric', 'Alice', 'Patrick', 'Grace', 'Joseph', 'Claudine', 'Emmanuel', 'Diane'];
  const districts = ['Gasabo', 'Kicukiro', 'Nyarugenge', 'Musanze', 'Huye', 'Rubavu', 'Nyagatare', 'Rusizi'];
  for (let start = 0; start < n; start += 100_000) {
    const end = Math.min(n, start + 100_000);
    await sql`INSERT INTO contacts (uuid, org_id, name, created_on, modified_on)
      SELECT gen_random_uuid(), ${ws.id}, (${names}::text[])[1 + i % 10] || ' ' || 'Family' || (i % 5000)::text,
             now() - make_interval(mins => i), now() - make_interval(mins => i)
      FROM generate_series(${start}::int, ${end - 1}::int) i`.execute(d.db);
  }
  await sql`INSERT INTO contact_field_values (contact_id, field_id, org_id, text_value)
    SELECT id, ${district}, ${ws.id}, (${districts}::text[])[1 + id % 8] FROM contacts WHERE org_id = ${ws.id}`.execute(d.db);
  await sql`INSERT INTO contact_field_values (contact_id, field_id, org_id, text_value, number_value)
    SELECT id, ${age}, ${ws.id}, (id % 90)::text, id % 90 FROM contacts WHERE org_id = ${ws.id}`.execute(d.db);
  await sql`ANALYZE`.execute(d.db);
  console.log(`  seeded ${n} contacts with 2 fields in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return ws;
}

async function time(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

async function run(label: string, d: Database, n: number) {
  console.log(`\n${label}: ${n} contacts`);
  const ws = await seed(d, n);
  const firstPage = (where: any) =>
    sql`SELECT c.id, c.uuid, c.name FROM contacts c WHERE c.org_id = ${ws.id} AND c.is_active AND ${where}
        ORDER BY c.modified_on DESC, c.id DESC LIMIT 251`.execute(d.db);
  for (const q of ['district = "Gasabo"', 'age >= 30 AND age < 40', 'name ~ "clau"', 'district = "Huye" OR age = 7']) {
    const compiled = await compileSearch(d.db, ws, q);
    const raw = sql`SELECT c.id, c.uuid, c.name FROM contacts c WHERE c.org_id = ${ws.id} AND c.is_active AND ${compiled.where}
        ORDER BY c.modified_on DESC, c.id DESC LIMIT 251`.compile(d.db);
    const ceiling = await time(() => d.pool.query(raw.sql, raw.parameters as any[]));
    const ours = await time(async () => firstPage((await compileSearch(d.db, ws, q)).where));
    console.log(`  ${q.padEnd(32)} first page: ours ${ours.toFixed(1)} ms, raw SQL ${ceiling.toFixed(1)} ms, ratio ${(ceiling / ours).toFixed(2)}`);
  }
  const group = await d.db
    .insertInto('contact_groups')
    .values({ uuid: randomUUID(), org_id: ws.id, name: 'Gasabo adults', group_type: 'Q', query: 'district = "Gasabo" AND age >= 18', status: 'I' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const t0 = performance.now();
  await evaluateSmartGroup(d.db, ws.id, group.id);
  const ours = performance.now() - t0;
  const members = await sql<{ n: string }>`SELECT count(*) AS n FROM contact_groups_contacts WHERE group_id = ${group.id}`.execute(d.db);
  const { where } = await compileSearch(d.db, ws, 'district = "Gasabo" AND age >= 18');
  await sql`CREATE TEMP TABLE ceiling_members (group_id bigint, contact_id bigint)`.execute(d.db).catch(() => {});
  const t1 = performance.now();
  await sql`INSERT INTO ceiling_members SELECT ${group.id}, c.id FROM contacts c WHERE c.org_id = ${ws.id} AND c.is_active AND c.status = 'A' AND ${where}`.execute(d.db);
  const ceiling = performance.now() - t1;
  console.log(`  smart group evaluation (${members.rows[0].n} members): ours ${(ours / 1000).toFixed(2)} s, raw INSERT ... SELECT ${(ceiling / 1000).toFixed(2)} s, ratio ${(ceiling / ours).toFixed(2)}`);
}

const override = process.env.BENCH_CONTACTS ? Number(process.env.BENCH_CONTACTS) : undefined;

for (const [kind, label, n] of [['pglite', 'embedded PGlite', 100_000], ['postgres', 'PostgreSQL server', 1_000_000]] as const) {
  const scratch = await openScratchDatabase(kind);
  if (!scratch) continue;
  try {
    await run(label, scratch.database, override ?? n);
  } finally {
    await scratch.cleanup();
  }
}
