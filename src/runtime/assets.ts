import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { readAssets, type AssetsSource, type SessionAssets } from '../engine/flows/index.ts';
import { activeMessageTriggers, type MessageTriggerRow } from '../models/triggers.ts';

/** A workspace's assets with the database ids the runtime needs when it writes what sessions did. */
export interface LoadedAssets {
  source: AssetsSource;
  flowIds: Map<string, number>;
  channelIds: Map<string, number>;
}

/**
 * Everything a session of this workspace may reference, in the engine's asset shape: active flows
 * (definitions stored at the current spec), fields, groups (smart ones with their query), globals,
 * labels, topics, channels and users.
 */
export async function loadAssets(db: Kysely<DB>, orgId: number): Promise<AssetsSource> {
  return (await loadAssetsWithIds(db, orgId)).source;
}

async function loadAssetsWithIds(db: Kysely<DB>, orgId: number): Promise<LoadedAssets> {
  const [flows, fields, groups, globals, labels, topics, channels, users] = await Promise.all([
    db.selectFrom('flows').select(['id', 'uuid', 'definition']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('contact_fields').select(['uuid', 'key', 'name', 'value_type']).where('org_id', '=', orgId).where('is_active', '=', true).where('is_system', '=', false).execute(),
    db.selectFrom('contact_groups').select(['uuid', 'name', 'query', 'group_type']).where('org_id', '=', orgId).where('is_active', '=', true).where('group_type', 'in', ['M', 'Q']).execute(),
    db.selectFrom('globals').select(['key', 'name', 'value']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('msg_labels').select(['uuid', 'name']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('topics').select(['uuid', 'name']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('channels').select(['id', 'uuid', 'name', 'address', 'schemes', 'roles', 'country']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('users as u').innerJoin('org_memberships as m', 'm.user_id', 'u.id').select(['u.uuid', 'u.email', 'u.first_name', 'u.last_name']).where('m.org_id', '=', orgId).where('u.is_active', '=', true).execute(),
  ]);
  const ROLE_NAMES: Record<string, string> = { S: 'send', R: 'receive', C: 'call', A: 'answer' };
  return {
    source: {
      flows: flows.map((f) => f.definition),
      fields: fields.map((f) => ({ uuid: f.uuid, key: f.key, name: f.name, type: f.value_type })),
      groups: groups.map((g) => ({ uuid: g.uuid, name: g.name, ...(g.group_type === 'Q' && g.query ? { query: g.query } : {}) })),
      globals: globals.map((g) => ({ key: g.key, name: g.name, value: g.value })),
      labels: labels.map((l) => ({ uuid: l.uuid, name: l.name })),
      topics: topics.map((t) => ({ uuid: t.uuid, name: t.name })),
      channels: channels.map((c) => ({
        uuid: c.uuid, name: c.name, address: c.address, schemes: c.schemes,
        roles: [...c.roles].map((r) => ROLE_NAMES[r]).filter(Boolean), ...(c.country ? { country: c.country } : {}),
      })) as any,
      users: users.map((u) => ({ uuid: u.uuid, email: u.email, name: `${u.first_name} ${u.last_name}`.trim() })),
    },
    flowIds: new Map(flows.map((f) => [f.uuid, f.id])),
    channelIds: new Map(channels.map((c) => [c.uuid, c.id])),
  };
}

/** A workspace's assets read by the engine (flows parsed once, on first use) and their ids. */
export interface WorkspaceAssets extends LoadedAssets {
  assets: SessionAssets;
  /** asset_versions.version when they were read (null: never changed since the migration). */
  version: string | null;
}

/** Workspaces kept in memory at once; the least recently used is dropped first. */
const MAX_CACHED = Number(process.env.RAPIDPRO_ASSET_CACHE_SIZE ?? 200);
/** Per database handle: tests and benchmarks open several databases in one process, with the same ids. */
const caches = new WeakMap<Kysely<DB>, Map<number, WorkspaceAssets>>();
/** Loads under way, so replies arriving together after a change read the assets once. */
const loading = new WeakMap<Kysely<DB>, Map<string, Promise<WorkspaceAssets>>>();

async function assetVersion(db: Kysely<DB>, orgId: number): Promise<string | null> {
  const r = await sql<{ version: string }>`SELECT version::text AS version FROM asset_versions WHERE org_id = ${orgId}`.execute(db);
  return r.rows[0]?.version ?? null;
}

/**
 * The workspace's assets, reused between sprints while unchanged. Database triggers give the
 * workspace a new version whenever any of its assets is written (migration 0011), by any process,
 * so one keyed read tells whether the copy in memory is current; the version is read before the
 * assets, so a change committed in between only makes the next call read them again (the
 * version a caller passes must likewise have been read before this call). Parsed flows
 * are cached inside SessionAssets, so a cached workspace also skips reading flow definitions.
 */
export async function workspaceAssetsCached(db: Kysely<DB>, orgId: number, knownVersion?: string | null): Promise<WorkspaceAssets> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  // a caller that read the version with its own statement (runtime/contacts.ts loadResumeState)
  const version = knownVersion !== undefined ? knownVersion : await assetVersion(db, orgId);
  const hit = cache.get(orgId);
  if (hit && hit.version === version) {
    cache.delete(orgId);
    cache.set(orgId, hit);
    return hit;
  }
  let pending = loading.get(db);
  if (!pending) loading.set(db, (pending = new Map()));
  const key = `${orgId}:${version}`;
  let load = pending.get(key);
  if (!load) {
    load = (async () => {
      const loaded = await loadAssetsWithIds(db, orgId);
      const entry: WorkspaceAssets = { ...loaded, assets: readAssets(loaded.source), version };
      cache.delete(orgId);
      cache.set(orgId, entry);
      while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
      return entry;
    })().finally(() => pending.delete(key));
    pending.set(key, load);
  }
  return load;
}

const triggerCaches = new WeakMap<Kysely<DB>, Map<number, { version: string | null; rows: MessageTriggerRow[] }>>();

/**
 * The workspace's keyword and catch-all triggers, reused while its asset version stays `version`
 * (trigger writes and flow archiving bump it too, migration 0012). As for workspaceAssetsCached,
 * the caller must have read `version` before this call: rows read after it are at least as new.
 */
export async function messageTriggersCached(db: Kysely<DB>, orgId: number, version: string | null): Promise<MessageTriggerRow[]> {
  let cache = triggerCaches.get(db);
  if (!cache) triggerCaches.set(db, (cache = new Map()));
  const hit = cache.get(orgId);
  if (hit && hit.version === version) return hit.rows;
  const rows = await activeMessageTriggers(db, orgId);
  cache.delete(orgId);
  cache.set(orgId, { version, rows });
  while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return rows;
}
