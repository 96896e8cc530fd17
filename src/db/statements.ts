import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Prepares repeated statements on each `pg` connection: a parameterised query runs as a named
 * statement (named after its text), so the database parses it once per connection and, once its
 * plan cache settles on a generic plan, stops planning it too. On embedded PGlite planning is most
 * of a simple query's cost (measured: 277 → 100 µs for a keyed lookup).
 *
 * Names are unique per connection, because embedded PGlite runs every connection — this process's
 * and other processes' through the socket — in one backend session, where two connections preparing
 * one name would collide. An explicit name (`{name, text}`) gets the same suffix.
 *
 * Only SELECTs: a named statement's parameters are never folded into constants when it is planned,
 * so a write whose meaning depends on a parameter's value — `ON CONFLICT (...) WHERE is_active = $5`
 * matching a partial unique index — would fail to infer its arbiter index. Reads stay correct (at
 * worst PostgreSQL keeps planning them per execution, as it does unnamed).
 *
 * A write whose meaning cannot depend on its parameters' values opts in by starting with PREPARE.
 *
 * Bounded: texts with many parameters (long IN lists, whose text varies with the batch) stay
 * unnamed, and a connection prepares at most MAX_PREPARED statements.
 */
const MAX_PARAMS = 32;
const MAX_PREPARED = 400;
/** "cached plan must not change result type": a migration changed a table under a prepared statement. */
const PLAN_CHANGED = '0A000';
const SELECT = /^\s*select\b/i;
/** Leading comment of a write that is safe to prepare (see above). */
export const PREPARE = '/* prepare */';

let connectionSerial = 0;
const processTag = Math.random().toString(36).slice(2, 8);

type Query = (...args: unknown[]) => unknown;

export function prepareRepeatedStatements(client: pg.PoolClient): void {
  const tag = `${processTag}_${++connectionSerial}`;
  const names = new Map<string, string>();
  // looked up at each call rather than bound once, so a wrapper put on pg.Client.prototype after the
  // connection opened (the tests' statement counter) still sees every statement
  const query = ((...args: unknown[]) => (Object.getPrototypeOf(client) as { query: Query }).query.apply(client, args)) as Query;

  const nameFor = (text: string): string | undefined => {
    let name = names.get(text);
    if (!name && names.size < MAX_PREPARED) {
      name = `q${createHash('sha1').update(text).digest('hex').slice(0, 20)}_${tag}`;
      names.set(text, name);
    }
    return name;
  };

  (client as { query: Query }).query = (config: unknown, ...rest: unknown[]) => {
    let named: { name: string; text: string; values?: unknown[] } | undefined;
    if (typeof config === 'string' && Array.isArray(rest[0]) && rest[0].length > 0 && rest[0].length <= MAX_PARAMS && (SELECT.test(config) || config.startsWith(PREPARE))) {
      const name = nameFor(config);
      if (name) {
        named = { name, text: config, values: rest[0] };
        rest = rest.slice(1);
      }
    } else if (config && typeof config === 'object' && typeof (config as { name?: unknown }).name === 'string') {
      named = { ...(config as { name: string; text: string }), name: `${(config as { name: string }).name}_${tag}` };
    }
    if (!named) return query(config, ...rest);
    const callback = typeof rest[0] === 'function' ? (rest[0] as (err: unknown, res?: unknown) => void) : undefined;
    const statement = named;
    const result = (query(statement) as Promise<unknown>).catch((e: { code?: string }) => {
      if (e?.code !== PLAN_CHANGED) throw e;
      // forget the stale statement (here and in the session) and answer unnamed this time
      names.delete(statement.text);
      delete (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements[statement.name];
      return (query(`DEALLOCATE "${statement.name}"`) as Promise<unknown>)
        .catch(() => {})
        .then(() => query({ text: statement.text, values: statement.values }));
    });
    if (!callback) return result;
    result.then((r) => callback(null, r), (e) => callback(e));
    return undefined;
  };
}
