import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Workspace } from '../models/workspaces.ts';
import {
  parseQuery, staticResolver, type ContactQuery, type DateFormat, type FieldRef, type QueryEnvironment,
} from '../engine/contactql/index.ts';
import { compileQuery } from './compile.ts';

const DATE_FORMATS: Record<string, DateFormat> = {
  day_first: 'DD-MM-YYYY',
  month_first: 'MM-DD-YYYY',
  year_first: 'YYYY-MM-DD',
};

/** The query environment of a workspace: its timezone, date style, country and anonymity. */
export function queryEnvironment(ws: Workspace): QueryEnvironment {
  return {
    timezone: ws.timezone,
    dateFormat: DATE_FORMATS[ws.dateStyle] ?? 'DD-MM-YYYY',
    defaultCountry: ws.country || null,
    redactionPolicy: ws.isAnon ? 'urns' : 'none',
  };
}

export interface CompiledSearch {
  query: ContactQuery;
  /** A boolean SQL expression over `contacts c`. */
  where: RawBuilder<SqlBool>;
}

/**
 * Parses a contact query against the workspace's fields and groups (RapidPro's validation and
 * error messages: throws QueryError) and compiles it to SQL.
 */
export async function compileSearch(db: Kysely<DB>, ws: Workspace, text: string, now?: Date): Promise<CompiledSearch> {
  const [fields, groups] = await Promise.all([
    db
      .selectFrom('contact_fields')
      .select(['id', 'uuid', 'key', 'name', 'value_type'])
      .where('org_id', '=', ws.id)
      .where('is_active', '=', true)
      .where('is_system', '=', false)
      .execute(),
    db
      .selectFrom('contact_groups')
      .select(['uuid', 'name'])
      .where('org_id', '=', ws.id)
      .where('is_active', '=', true)
      .where('group_type', 'in', ['M', 'Q'])
      .execute(),
  ]);
  const resolver = staticResolver({
    fields: fields.map((f): FieldRef => ({ key: f.key, type: f.value_type as FieldRef['type'], name: f.name, uuid: f.uuid })),
    groups: groups.map((g) => ({ uuid: g.uuid, name: g.name })),
    flows: [],
  });
  const query = parseQuery(text, queryEnvironment(ws), resolver, now ? { now } : undefined);
  const where = compileQuery(query, { orgId: ws.id, fieldIds: new Map(fields.map((f) => [f.key, f.id])) });
  return { query, where };
}
