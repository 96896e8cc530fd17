// The expression context persisted broadcasts are evaluated with (mailroom's reduced context: only
// @contact, @fields, @urns and @globals), built with the flow engine's own context builders so that
// `@contact.name`, `@fields.age`, `@urns.tel` and `@globals.x` render exactly as in flows.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { defaultEnvironment, type Environment } from '../engine/environment.ts';
import { readAssets, type SessionAssets } from '../engine/flows/assets.ts';
import { Contact } from '../engine/flows/core/contact.ts';
import { contactContext, fieldsContext, urnsContext } from '../engine/flows/context/contact.ts';
import { globalsContext } from '../engine/flows/context/session.ts';
import { X } from '../engine/flows/expressions.ts';
import { evaluateTemplate, type XObject } from '../engine/excellent/index.ts';
import { engineFieldValue, type StoredFieldValue } from '../models/field-values.ts';
import { STATUS_BY_CODE } from '../models/contacts.ts';
import type { Workspace } from '../models/workspaces.ts';

type Db = Kysely<DB> | Transaction<DB>;

const DATE_FORMATS = { day_first: 'DD-MM-YYYY', month_first: 'MM-DD-YYYY', year_first: 'YYYY-MM-DD' } as const;

/** The engine environment of a workspace (timezone, date style, languages, country, redaction). */
export function workspaceEnvironment(ws: Workspace): Environment {
  return defaultEnvironment({
    dateFormat: DATE_FORMATS[ws.dateStyle] ?? 'DD-MM-YYYY',
    timezone: ws.timezone || 'UTC',
    allowedLanguages: ws.languages,
    defaultLanguage: ws.languages[0],
    defaultCountry: ws.country || undefined,
    redactionPolicy: ws.isAnon ? 'urns' : 'none',
    now: () => new Date(),
    random: Math.random,
  });
}

/** Assets a broadcast template can see: fields, globals, groups and channels of the workspace. */
export async function loadBroadcastAssets(db: Db, orgId: number): Promise<SessionAssets> {
  const [fields, globals, groups, channels] = await Promise.all([
    db.selectFrom('contact_fields').select(['uuid', 'key', 'name', 'value_type']).where('org_id', '=', orgId).where('is_active', '=', true).where('is_system', '=', false).execute(),
    db.selectFrom('globals').select(['key', 'name', 'value']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
    db.selectFrom('contact_groups').select(['uuid', 'name', 'query']).where('org_id', '=', orgId).where('is_active', '=', true).where('group_type', 'in', ['M', 'Q']).execute(),
    db.selectFrom('channels').select(['uuid', 'name', 'address', 'schemes', 'roles', 'country']).where('org_id', '=', orgId).where('is_active', '=', true).execute(),
  ]);
  return readAssets({
    fields: fields.map((f) => ({ uuid: f.uuid, key: f.key, name: f.name, type: f.value_type })),
    globals: globals.map((g) => ({ key: g.key, name: g.name, value: g.value })),
    groups: groups.map((g) => ({ uuid: g.uuid, name: g.name, ...(g.query ? { query: g.query } : {}) })),
    channels: channels.map((c) => ({
      uuid: c.uuid, name: c.name, address: c.address, schemes: c.schemes,
      roles: [...c.roles].map((r) => ({ S: 'send', R: 'receive', C: 'call', A: 'answer', U: 'ussd' })[r] ?? r), country: c.country || undefined,
    })),
  });
}

/** What the context needs of one contact (loaded in bulk by the caller). */
export interface ContactForContext {
  id: number;
  uuid: string;
  name: string | null;
  language: string | null;
  status: string;
  created_on: string;
  last_seen_on: string | null;
  urns: { scheme: string; path: string; display: string | null; channelUuid: string | null }[];
  groups: { uuid: string; name: string }[];
  /** stored values keyed by field key */
  values: Map<string, StoredFieldValue>;
}

const iso = (ts: string) => new Date(ts.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();

export function engineContact(c: ContactForContext, assets: SessionAssets, ws: Workspace): Contact {
  const fields: Record<string, unknown> = {};
  for (const [key, v] of c.values) fields[key] = engineFieldValue(v, ws.timezone);
  return Contact.read({
    uuid: c.uuid, id: c.id, name: c.name ?? '', language: c.language ?? '', status: STATUS_BY_CODE[c.status] ?? 'active',
    created_on: iso(c.created_on), last_seen_on: c.last_seen_on ? iso(c.last_seen_on) : undefined,
    urns: c.urns.map((u) => `${u.scheme}:${u.path}${u.channelUuid ? `?channel=${u.channelUuid}` : ''}${u.display ? `#${u.display}` : ''}`),
    groups: c.groups, fields,
  }, assets);
}

/** The reduced root context: @contact, @fields, @urns, @globals. */
export function broadcastContext(contact: Contact, assets: SessionAssets, env: Environment): XObject {
  return X.force(X.object({
    contact: contactContext(contact, env),
    fields: fieldsContext(contact, env),
    urns: urnsContext(contact, env),
    globals: globalsContext(assets),
  })) as XObject;
}

/** Evaluates a broadcast template for one contact; failing expressions render as nothing. */
export function renderForContact(template: string, ctx: XObject, env: Environment): string {
  if (!template.includes('@')) return template;
  return evaluateTemplate(template, ctx, env).output;
}
