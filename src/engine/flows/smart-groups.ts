import { evaluateQuery, parseQuery, staticResolver, type ContactQuery, type FieldType, type QueryableContact } from '../contactql/index.ts';
import type { Environment } from '../environment.ts';
import type { Ref, SessionAssets } from './assets.ts';
import type { Contact } from './core/contact.ts';
import type { EngineServices } from './services.ts';

const parsedQueries = new WeakMap<SessionAssets, Map<string, ContactQuery | null>>();

function parsed(assets: SessionAssets, query: string, env: Environment): ContactQuery | null {
  let cache = parsedQueries.get(assets);
  if (!cache) parsedQueries.set(assets, (cache = new Map()));
  if (!cache.has(query)) {
    const resolver = staticResolver({
      fields: assets.fields.map((f) => ({ key: f.key, name: f.name, type: f.type as FieldType })),
      groups: assets.groups.map((g) => ({ uuid: g.uuid, name: g.name })),
    });
    try {
      // the query parser only needs "now" to pivot two-digit years: read the injected clock only then
      const lazyNow = { getUTCFullYear: () => env.now().getUTCFullYear() } as unknown as Date;
      cache.set(query, parseQuery(query, env, resolver, { now: lazyNow }));
    } catch {
      cache.set(query, null);
    }
  }
  return cache.get(query)!;
}

/**
 * What a smart group query can see of a contact: the engine doesn't know ids, refs, statuses,
 * groups or flow history, so those yield no values.
 */
function queryable(contact: Contact): QueryableContact {
  return {
    uuid: contact.uuid,
    name: contact.name || null,
    language: contact.language || null,
    createdOn: contact.createdOn,
    lastSeenOn: contact.lastSeenOn ?? null,
    urns: contact.urns.map((u) => ({ scheme: u.scheme, path: u.path })),
    tickets: contact.tickets.filter((t) => t.status === 'open').length,
    fields: contact.fields,
  };
}

function defaultEvaluator(query: string, contact: Contact, assets: SessionAssets, env: Environment): boolean {
  const q = parsed(assets, query, env);
  return q ? evaluateQuery(q, queryable(contact), env) : false;
}

/** Re-evaluates every smart group for the contact, updating its groups; returns the changes. */
export function reevaluateSmartGroups(
  contact: Contact, env: Environment, services: EngineServices,
): { added: Ref[]; removed: Ref[] } {
  const added: Ref[] = [];
  const removed: Ref[] = [];
  for (const group of contact.assets.groups) {
    if (!group.query) continue;
    const qualifies = contact.status === 'active' && (services.groupQuery
      ? services.groupQuery(group.query, contact, contact.assets)
      : defaultEvaluator(group.query, contact, contact.assets, env));
    const member = contact.inGroup(group.uuid);
    const ref = { uuid: group.uuid, name: group.name };
    if (qualifies && !member) {
      contact.groups.push(ref);
      added.push(ref);
    } else if (!qualifies && member) {
      contact.groups = contact.groups.filter((g) => g.uuid !== group.uuid);
      removed.push(ref);
    }
  }
  return { added, removed };
}
