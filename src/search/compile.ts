import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Condition, ContactQuery, QueryNode, Operator } from '../engine/contactql/index.ts';

/**
 * Compiles a parsed contact query to one parameterised PostgreSQL boolean expression over
 * `contacts` aliased as `c`. User values only ever travel as bind parameters. Field conditions
 * become EXISTS over contact_field_values keyed by (field_id, typed value), which the per-type
 * indexes serve; URN conditions use contact_urns (org_id, scheme, path).
 */
export interface CompileContext {
  orgId: number;
  /** Field ids by key, for fields the query resolved. */
  fieldIds: Map<string, number>;
}

type Expr = RawBuilder<SqlBool>;

const TRUE: Expr = sql<SqlBool>`true`;
const FALSE: Expr = sql<SqlBool>`false`;

const STATUS_CODES: Record<string, string> = { active: 'A', blocked: 'B', stopped: 'S', archived: 'V' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function cmp(op: Operator): RawBuilder<unknown> {
  if (!['=', '!=', '>', '>=', '<', '<='].includes(op)) throw new Error(`operator ${op} is not a comparison`);
  return sql.raw(op);
}

/** Escapes LIKE wildcards so a `~` value matches literally. */
function likeContains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `=`/`!=`, orderings and ranges of a datetime column against a query day [start, end). */
function datetimeExpr(column: RawBuilder<unknown>, op: Operator, start: string, end: string): Expr {
  switch (op) {
    case '=':
      return sql<SqlBool>`(${column} >= ${start}::timestamptz AND ${column} < ${end}::timestamptz)`;
    case '!=':
      return sql<SqlBool>`(${column} < ${start}::timestamptz OR ${column} >= ${end}::timestamptz)`;
    case '>':
      return sql<SqlBool>`${column} >= ${end}::timestamptz`;
    case '>=':
      return sql<SqlBool>`${column} >= ${start}::timestamptz`;
    case '<':
      return sql<SqlBool>`${column} < ${start}::timestamptz`;
    case '<=':
      return sql<SqlBool>`${column} < ${end}::timestamptz`;
    default:
      throw new Error(`unsupported datetime operator ${op}`);
  }
}

/** Negation that treats "no value" the way the evaluator does for `!=` (true when absent). */
function not(e: Expr): Expr {
  return sql<SqlBool>`NOT (${e})`;
}

function urnCondition(c: Condition, ctx: CompileContext, scheme: string | null): Expr {
  const schemeFilter = scheme === null ? sql`` : sql`AND u.scheme = ${scheme}`;
  const exists = (match: RawBuilder<unknown>) =>
    sql<SqlBool>`EXISTS (SELECT 1 FROM contact_urns u WHERE u.contact_id = c.id AND u.org_id = ${ctx.orgId} ${schemeFilter} AND ${match})`;
  const v = c.value;
  if (v.kind === 'empty') return c.operator === '=' ? not(exists(sql`true`)) : exists(sql`true`);
  if (v.kind !== 'text') throw new Error(`unexpected URN value ${v.kind}`);
  if (c.operator === '~') return exists(sql`lower(u.path) LIKE ${likeContains(v.normalized)}`);
  if (c.operator === '=') return exists(sql`lower(u.path) = ${v.normalized}`);
  if (c.operator === '!=') return not(exists(sql`lower(u.path) = ${v.normalized}`));
  throw new Error(`unsupported URN operator ${c.operator}`);
}

function fieldCondition(c: Condition, ctx: CompileContext): Expr {
  if (c.property.kind !== 'field') throw new Error('not a field condition');
  const fieldId = ctx.fieldIds.get(c.property.key);
  // An unknown field (only possible without a resolver) has no values on any contact.
  const exists = (match: RawBuilder<unknown>) =>
    fieldId === undefined
      ? FALSE
      : sql<SqlBool>`EXISTS (SELECT 1 FROM contact_field_values v WHERE v.contact_id = c.id AND v.field_id = ${fieldId} AND ${match})`;
  const v = c.value;
  const type = c.property.valueType ?? 'text';
  const column = {
    text: sql`v.text_value`,
    number: sql`v.number_value`,
    datetime: sql`v.datetime_value`,
    state: sql`v.state_value`,
    district: sql`v.district_value`,
    ward: sql`v.ward_value`,
  }[type];
  if (v.kind === 'empty') {
    const has = exists(sql`${column} IS NOT NULL`);
    return c.operator === '=' ? not(has) : has;
  }
  if (v.kind === 'number') {
    if (c.operator === '!=') return not(exists(sql`v.number_value = ${v.number}::numeric`));
    return exists(sql`v.number_value ${cmp(c.operator)} ${v.number}::numeric`);
  }
  if (v.kind === 'datetime') {
    if (c.operator === '!=') return not(exists(datetimeExpr(sql`v.datetime_value`, '=', v.start, v.end)));
    return exists(datetimeExpr(sql`v.datetime_value`, c.operator, v.start, v.end));
  }
  if (v.kind === 'text') {
    // Locations compare the last component of their path ("Rwanda > Kigali" is "kigali").
    const value = type === 'text' ? sql`lower(trim(v.text_value))` : sql`lower(regexp_replace(${column}, '^.*>\\s*', ''))`;
    if (c.operator === '=') return exists(sql`${value} = ${v.normalized}`);
    if (c.operator === '!=') return not(exists(sql`${value} = ${v.normalized}`));
  }
  throw new Error(`unsupported field condition ${c.operator} ${v.kind}`);
}

function attributeCondition(c: Condition, ctx: CompileContext): Expr {
  if (c.property.kind !== 'attribute') throw new Error('not an attribute');
  const v = c.value;
  const op = c.operator;
  const key = c.property.key;
  switch (key) {
    case 'uuid': {
      if (v.kind !== 'text') break;
      const eq = UUID.test(v.normalized) ? sql<SqlBool>`c.uuid = ${v.normalized}::uuid` : FALSE;
      return op === '!=' ? not(eq) : eq;
    }
    case 'id': {
      if (v.kind !== 'text') break;
      const eq = /^\d{1,18}$/.test(v.normalized) ? sql<SqlBool>`c.id = ${Number(v.normalized)}` : FALSE;
      return op === '!=' ? not(eq) : eq;
    }
    case 'ref':
      // Obfuscated ids need the workspace's obfuscation key, which workspaces do not have yet.
      return op === '!=' ? TRUE : FALSE;
    case 'name': {
      if (v.kind === 'empty') {
        const none = sql<SqlBool>`(c.name IS NULL OR c.name = '')`;
        return op === '=' ? none : not(none);
      }
      if (v.kind === 'name_prefixes') {
        // A word of the name starts with a prefix: a regex the trigram index on lower(name) serves.
        const pattern = `(^|[^[:alnum:]_])(${v.prefixes.map(escapeRegex).join('|')})`;
        return sql<SqlBool>`lower(c.name) ~ ${pattern}`;
      }
      if (v.kind === 'text') {
        const eq = sql<SqlBool>`lower(trim(c.name)) = ${v.normalized}`;
        return op === '!=' ? sql<SqlBool>`(c.name IS NULL OR NOT (${eq}))` : eq;
      }
      break;
    }
    case 'status': {
      if (v.kind !== 'text') break;
      const eq = sql<SqlBool>`c.status = ${STATUS_CODES[v.normalized] ?? '?'}`;
      return op === '!=' ? not(eq) : eq;
    }
    case 'language': {
      if (v.kind === 'empty') {
        const none = sql<SqlBool>`(c.language IS NULL OR c.language = '')`;
        return op === '=' ? none : not(none);
      }
      if (v.kind !== 'text') break;
      const eq = sql<SqlBool>`lower(c.language) = ${v.normalized}`;
      return op === '!=' ? sql<SqlBool>`(c.language IS NULL OR NOT (${eq}))` : eq;
    }
    case 'urn':
      return urnCondition(c, ctx, null);
    case 'group': {
      const member = (g: RawBuilder<unknown>) =>
        sql<SqlBool>`EXISTS (SELECT 1 FROM contact_groups_contacts gc JOIN contact_groups g ON g.id = gc.group_id WHERE gc.contact_id = c.id AND g.org_id = ${ctx.orgId} AND g.is_active AND g.group_type IN ('M', 'Q') AND ${g})`;
      if (v.kind === 'empty') return op === '=' ? not(member(sql`true`)) : member(sql`true`);
      if (v.kind === 'group') {
        const m = member(sql`g.uuid = ${v.group.uuid}::uuid`);
        return op === '!=' ? not(m) : m;
      }
      break;
    }
    case 'flow':
    case 'history':
      // Flows arrive with the flows issue: until then no contact is or has been in a flow.
      if (v.kind === 'empty') return op === '=' ? TRUE : FALSE;
      return op === '!=' ? TRUE : FALSE;
    case 'tickets':
      // Tickets are not linked to contacts yet: every contact has 0 open tickets.
      if (v.kind === 'number') return sql<SqlBool>`0 ${cmp(op)} ${v.number}::numeric`;
      break;
    case 'created_on':
    case 'last_seen_on': {
      const column = key === 'created_on' ? sql`c.created_on` : sql`c.last_seen_on`;
      if (v.kind === 'empty') {
        const none = sql<SqlBool>`${column} IS NULL`;
        return op === '=' ? none : not(none);
      }
      if (v.kind === 'datetime') {
        const e = datetimeExpr(column, op, v.start, v.end);
        return key === 'last_seen_on' && op === '!=' ? sql<SqlBool>`(${column} IS NULL OR ${e})` : e;
      }
      break;
    }
  }
  throw new Error(`unsupported condition on ${key}: ${op} ${v.kind}`);
}

function compileNode(node: QueryNode, ctx: CompileContext): Expr {
  if (node.type !== 'condition') {
    const parts = node.children.map((ch) => compileNode(ch, ctx));
    const joiner = node.type === 'and' ? sql` AND ` : sql` OR `;
    return sql<SqlBool>`(${sql.join(parts, joiner)})`;
  }
  const property = node.property;
  switch (property.kind) {
    case 'attribute':
      return attributeCondition(node, ctx);
    case 'urn':
      return urnCondition(node, ctx, property.scheme);
    case 'field':
      return fieldCondition(node, ctx);
  }
}

export function compileQuery(query: ContactQuery, ctx: CompileContext): Expr {
  return compileNode(query.root, ctx);
}
