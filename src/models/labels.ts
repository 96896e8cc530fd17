import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { activeNameTaken, countActive } from './workspace-objects.ts';

/** Message labels: named tags on incoming messages. */
export interface LabelRow {
  id: number;
  uuid: string;
  name: string;
  created_on: string;
}

const COLUMNS = ['id', 'uuid', 'name', 'created_on'] as const;

/** Active labels of a workspace. */
export function labelsQuery(db: Kysely<DB>, orgId: number) {
  return db
    .selectFrom('msg_labels as l')
    .select(COLUMNS.map((c) => `l.${c}` as const))
    .where('l.org_id', '=', orgId)
    .where('l.is_active', '=', true);
}

export async function findLabelByUuid(db: Kysely<DB>, orgId: number, uuid: string): Promise<LabelRow | undefined> {
  return (await labelsQuery(db, orgId).where('l.uuid', '=', uuid).executeTakeFirst()) as LabelRow | undefined;
}

/** Labelled-message counts of the given labels: visible messages only (archived and deleted excluded). */
export async function labelMessageCounts(db: Kysely<DB>, labelIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>(labelIds.map((id) => [id, 0]));
  if (!labelIds.length) return counts;
  const rows = await db
    .selectFrom('msg_labels_msgs as lm')
    .innerJoin('msgs as m', 'm.id', 'lm.msg_id')
    .select(['lm.label_id as label_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('lm.label_id', 'in', labelIds)
    .where('m.visibility', '=', 'V')
    .groupBy('lm.label_id')
    .execute();
  for (const r of rows) counts.set(Number(r.label_id), Number(r.n));
  return counts;
}

/** Labels counted against the workspace limit. */
export async function countLabels(db: Kysely<DB>, orgId: number): Promise<number> {
  return countActive(db, 'msg_labels', orgId);
}

/** Whether an active label has this name, ignoring case. */
export async function labelNameTaken(db: Kysely<DB>, orgId: number, name: string, exceptId?: number): Promise<boolean> {
  return activeNameTaken(db, 'msg_labels', orgId, name, exceptId);
}

export async function createLabel(db: Kysely<DB>, orgId: number, name: string): Promise<LabelRow> {
  return (await db
    .insertInto('msg_labels')
    .values({ uuid: randomUUID(), org_id: orgId, name })
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as LabelRow;
}

export async function renameLabel(db: Kysely<DB>, orgId: number, id: number, name: string): Promise<LabelRow> {
  return (await db
    .updateTable('msg_labels')
    .set({ name, modified_on: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow()) as LabelRow;
}

/** Soft-deletes a label and removes it from its messages (the messages stay), in one transaction. */
export async function deleteLabel(db: Kysely<DB>, orgId: number, id: number): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const label = await tx
      .updateTable('msg_labels')
      .set({ is_active: false, modified_on: sql`now()` })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (label) await tx.deleteFrom('msg_labels_msgs').where('label_id', '=', id).execute();
  });
}
