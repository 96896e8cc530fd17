import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { activeNameTaken, countActive } from './workspace-objects.ts';

/** Ticket topics. Every workspace has the system (default) topic "General", which is read-only. */
export interface TopicRow {
  id: number;
  uuid: string;
  name: string;
  is_system: boolean;
  created_on: string;
}

const COLUMNS = ['id', 'uuid', 'name', 'is_system', 'created_on'] as const;

/** Active topics of a workspace, the default one included. */
export function topicsQuery(db: Kysely<DB>, orgId: number) {
  return db
    .selectFrom('topics as t')
    .select(COLUMNS.map((c) => `t.${c}` as const))
    .where('t.org_id', '=', orgId)
    .where('t.is_active', '=', true);
}

export async function findTopicByUuid(db: Kysely<DB>, orgId: number, uuid: string): Promise<TopicRow | undefined> {
  return (await topicsQuery(db, orgId).where('t.uuid', '=', uuid).executeTakeFirst()) as TopicRow | undefined;
}

export interface TicketCounts {
  open: number;
  closed: number;
}

/** Open and closed ticket counts of the given topics, scoped to the workspace. */
export async function topicTicketCounts(db: Kysely<DB>, orgId: number, topicIds: number[]): Promise<Map<number, TicketCounts>> {
  const counts = new Map<number, TicketCounts>(topicIds.map((id) => [id, { open: 0, closed: 0 }]));
  if (!topicIds.length) return counts;
  const rows = await db
    .selectFrom('tickets')
    .select(['topic_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('org_id', '=', orgId)
    .where('topic_id', 'in', topicIds)
    .groupBy(['topic_id', 'status'])
    .execute();
  for (const r of rows) {
    const c = counts.get(Number(r.topic_id))!;
    if (r.status === 'O') c.open = Number(r.n);
    else if (r.status === 'C') c.closed = Number(r.n);
  }
  return counts;
}

/** Topics counted against the workspace limit: active, not the default topic. */
export async function countUserTopics(db: Kysely<DB>, orgId: number): Promise<number> {
  return countActive(db, 'topics', orgId, { excludeSystem: true });
}

/** Whether an active topic ("General" included) has this name, ignoring case. */
export async function topicNameTaken(db: Kysely<DB>, orgId: number, name: string, exceptId?: number): Promise<boolean> {
  return activeNameTaken(db, 'topics', orgId, name, exceptId);
}

export async function createTopic(db: Kysely<DB>, orgId: number, name: string): Promise<TopicRow> {
  return (await db
    .insertInto('topics')
    .values({ uuid: randomUUID(), org_id: orgId, name })
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as TopicRow;
}

export async function renameTopic(db: Kysely<DB>, orgId: number, id: number, name: string): Promise<TopicRow> {
  return (await db
    .updateTable('topics')
    .set({ name, modified_on: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as TopicRow;
}
