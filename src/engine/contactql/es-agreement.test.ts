// Checks the evaluator against what RapidPro means by each query: goflow's contactql/es test data
// gives, per query, the Elasticsearch query RapidPro's search runs. A small interpreter of that
// Elasticsearch subset is run over documents built from synthetic contacts, and must agree with
// evaluateQuery on every contact. The assets the data assumes (field types and ids, group and flow
// ids) are learned from the data itself. One part is ours rather than the data's: Elasticsearch's
// `match` on `name` depends on an index analyzer the data doesn't include, so it is interpreted with
// our own name-token rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { conformanceDirIfPresent, SKIP_MESSAGE } from '../../conformance/harness.ts';
import type { AssetRef, FieldRef, FieldType } from './ast.ts';
import type { QueryableContact } from './contact.ts';
import type { QueryEnvironment } from './environment.ts';
import { evaluateQuery, parseQuery, staticResolver } from './index.ts';
import { namePrefixes } from './names.ts';

interface EsCase {
  description: string;
  query: string;
  elastic: unknown;
  redact_urns: boolean;
}

type Json = Record<string, unknown>;
type Doc = Json & { fields: Json[]; urns: Json[] };

const env = (redact: boolean): QueryEnvironment => ({
  timezone: 'America/New_York',
  dateFormat: 'YYYY-MM-DD',
  redactionPolicy: redact ? 'urns' : 'none',
});

/** Every `{"term": {name: {"value": v}}}` in an Elasticsearch query. */
function termValues(q: unknown, name: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(q)) q.forEach((x) => termValues(x, name, out));
  else if (q && typeof q === 'object') {
    for (const [k, v] of Object.entries(q as Json)) {
      if (k === 'term' && (v as Json)[name]) out.push(((v as Json)[name] as Json).value);
      else if (k === 'exists' && name === 'exists') out.push((v as Json).field);
      else termValues(v, name, out);
    }
  }
  return out;
}

/** Learns the assets behind the data from its single-condition cases. */
function learnAssets(cases: EsCase[]) {
  const fields = new Map<string, FieldRef>();
  const ids = new Map<string, number>(); // "group:u-reporters" → 345
  const uuids: string[] = [];
  for (const c of cases) {
    const root = parseQuery(c.query, env(c.redact_urns)).root;
    if (root.type !== 'condition') continue;
    const p = root.property;
    if (p.kind === 'field') {
      const [uuid] = termValues(c.elastic, 'fields.field') as string[];
      // a set check tests existence of the representation of the field's type, e.g. fields.number
      const typed = root.raw === '' ? (termValues(c.elastic, 'exists') as string[]).find((f) => f.startsWith('fields.')) : undefined;
      const known = fields.get(p.key);
      fields.set(p.key, { key: p.key, uuid: uuid ?? known?.uuid, type: (typed?.slice(7) as FieldType) ?? known?.type ?? 'text' });
    } else if (p.kind === 'attribute' && root.raw !== '') {
      const idField = { group: 'group_ids', flow: 'flow_id', history: 'flow_history_ids' }[p.key as string];
      if (idField) ids.set(`${p.key === 'group' ? 'group' : 'flow'}:${root.raw.toLowerCase()}`, termValues(c.elastic, idField)[0] as number);
      if (p.key === 'uuid') uuids.push(root.raw);
    }
  }
  const assets = (kind: string): AssetRef[] =>
    [...ids.keys()].filter((k) => k.startsWith(kind + ':')).map((k) => ({ uuid: k, name: k.slice(kind.length + 1) }));
  return { fields: [...fields.values()], groups: assets('group'), flows: assets('flow'), ids, uuids };
}

/** A deterministic, well-mixed choice for contact k and attribute `salt`. */
function pick<T>(list: T[], k: number, salt: number): T {
  let h = Math.imul(k + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return list[(h >>> 0) % list.length];
}

function syntheticContacts(learned: ReturnType<typeof learnAssets>): QueryableContact[] {
  const instants = ['2018-06-23T03:59:59Z', '2018-06-23T04:00:00Z', '2018-06-23T16:00:00Z', '2018-06-24T03:59:59Z', '2018-06-24T04:00:00Z', null];
  const people = [
    { id: 12345, ref: 'A6YWQL' },
    { id: 123, ref: 'KNGEUX' },
    { id: 777, ref: 'B7ZXRM' },
  ];
  const texts = ['red', 'Red', 'blue', null];
  const places = ['Washington', 'Nord-Kivu', 'Kigali', null];
  const contacts: QueryableContact[] = [];
  for (let k = 0; k < 120; k++) {
    const fieldValue = (f: FieldRef) => {
      switch (f.type) {
        case 'number': {
          const n = pick([9, 10, 11, null], k, 11);
          return n === null ? null : { text: String(n), number: n };
        }
        case 'datetime': {
          const d = pick(instants, k, 13);
          return d === null ? null : { text: d, datetime: d };
        }
        case 'text': {
          const t = pick(texts, k, 17);
          return t === null ? null : { text: t };
        }
        default: {
          const name = pick([...places, 'Chelan', 'Stevens'], k, 19);
          return name === null ? null : { text: name, [f.type]: `United States > ${name}` };
        }
      }
    };
    contacts.push({
      uuid: pick([...learned.uuids, 'c0ffee00-0000-4000-8000-000000000001'], k, 1),
      ...pick(people, k, 2),
      name: pick(['Chef Boyardee', 'Chef', 'chefo', 'Will Smith', null, 'Ché Guevara'], k, 3),
      language: pick(['spa', 'fra', null, 'eng'], k, 4),
      status: pick(['active', 'blocked', 'stopped', 'archived'] as const, k, 5),
      createdOn: pick(instants.filter((i) => i !== null), k, 6),
      lastSeenOn: pick(instants, k, 7),
      urns: pick([['tel:+12067799192'], ['tel:12345', 'whatsapp:5551234'], [], ['tel:+250712345678'], ['twitter:7979chef', 'tel:7979']], k, 8),
      groups: pick([learned.groups, []], k, 9),
      flow: pick([...learned.flows, null], k, 10),
      history: pick([learned.flows, []], k, 12),
      tickets: pick([0, 1, 2, 3], k, 14),
      fields: Object.fromEntries(learned.fields.map((f) => [f.key, fieldValue(f)])),
    });
  }
  return contacts;
}

const STATUS_CODES: Record<string, string> = { active: 'A', blocked: 'B', stopped: 'S', archived: 'V' };
const ms = (d: string | Date | null | undefined) => (d ? Date.parse(String(d)) : null);

/** The contact as RapidPro indexes it (keyword fields lowercased, location names only). */
function toDoc(c: QueryableContact, learned: ReturnType<typeof learnAssets>): Doc {
  const id = (kind: string, a: AssetRef) => learned.ids.get(`${kind}:${a.name}`);
  return {
    _id: String(c.id),
    uuid: c.uuid,
    name: c.name ?? null,
    language: c.language ?? null,
    status: STATUS_CODES[c.status!],
    created_on: ms(c.createdOn),
    last_seen_on: ms(c.lastSeenOn),
    tickets: c.tickets,
    group_ids: (c.groups ?? []).map((g) => id('group', g)),
    flow_id: c.flow ? id('flow', c.flow) : null,
    flow_history_ids: (c.history ?? []).map((f) => id('flow', f)),
    urns: (c.urns ?? []).map((u) => {
      const [scheme, ...rest] = String(u).split(':');
      return { scheme, path: rest.join(':') };
    }),
    fields: learned.fields.flatMap((f) => {
      const v = c.fields?.[f.key];
      if (!v) return [];
      const loc = (p: string | null | undefined) => (p ? p.split('>').pop()!.trim().toLowerCase() : undefined);
      return [{ field: f.uuid, text: v.text.toLowerCase(), number: v.number ?? undefined, datetime: ms(v.datetime) ?? undefined,
        state: v.state ?? undefined, state_keyword: loc(v.state), district: v.district ?? undefined, district_keyword: loc(v.district),
        ward: v.ward ?? undefined, ward_keyword: loc(v.ward) }];
    }),
  };
}

/** Reads `name` from a nested object (`fields.text` → obj.text) or from the document. */
function read(name: string, doc: Doc, nested: Json | null): unknown[] {
  const key = name.replace(/\.keyword$/, '');
  const local = nested && key.includes('.') ? nested[key.slice(key.indexOf('.') + 1)] : doc[key];
  if (local === undefined || local === null) return [];
  return Array.isArray(local) ? local : [local];
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function esMatches(q: Json, doc: Doc, nested: Json | null): boolean {
  const [[kind, body]] = Object.entries(q) as [[string, Json]];
  switch (kind) {
    case 'bool': {
      const must = asArray(body.must).every((x) => esMatches(x as Json, doc, nested));
      const should = body.should === undefined || asArray(body.should).some((x) => esMatches(x as Json, doc, nested));
      const mustNot = asArray(body.must_not).some((x) => esMatches(x as Json, doc, nested));
      return must && should && !mustNot;
    }
    case 'nested':
      return (doc[body.path as string] as Json[]).some((obj) => esMatches(body.query as Json, doc, obj));
    case 'ids':
      return (body.values as string[]).includes(doc._id as string);
    case 'exists':
      return read(body.field as string, doc, nested).length > 0;
  }
  const [[field, spec]] = Object.entries(body) as [[string, Json]];
  const values = read(field, doc, nested);
  switch (kind) {
    case 'term':
      return values.some((v) => lower(v) === lower(spec.value));
    case 'match':
      if (field === 'name') {
        const wanted = namePrefixes(String(spec.query));
        return values.some((v) => namePrefixes(String(v)).some((t) => wanted.some((w) => t.startsWith(w))));
      }
      return values.some((v) => Number(v) === Number(spec.query));
    case 'match_phrase':
      return values.some((v) => String(v).toLowerCase().includes(String(spec.query).toLowerCase()));
    case 'range': {
      const bound = (b: unknown) => (typeof b === 'string' ? Date.parse(b) : Number(b));
      return values.some((raw) => {
        const v = Number(raw);
        return (spec.gte === undefined || v >= bound(spec.gte)) && (spec.gt === undefined || v > bound(spec.gt)) &&
          (spec.lt === undefined || v < bound(spec.lt)) && (spec.lte === undefined || v <= bound(spec.lte));
      });
    }
  }
  throw new Error(`unsupported elastic query ${kind}`);
}

test('evaluator agrees with the meaning of RapidPro search queries', (t) => {
  const dir = conformanceDirIfPresent();
  if (!dir) return t.skip(SKIP_MESSAGE);
  const cases = JSON.parse(readFileSync(path.join(dir, 'goflow', 'contactql_es', 'to_query.json'), 'utf8')) as EsCase[];
  const learned = learnAssets(cases);
  const resolver = staticResolver(learned);
  const contacts = syntheticContacts(learned);
  const disagreements: string[] = [];
  let checks = 0;
  let matched = 0;
  const constant: string[] = [];
  for (const c of cases) {
    const parsed = parseQuery(c.query, env(c.redact_urns), resolver);
    const outcomes = new Set<boolean>();
    for (const contact of contacts) {
      const ours = evaluateQuery(parsed, contact, env(c.redact_urns));
      const theirs = esMatches(c.elastic as Json, toDoc(contact, learned), null);
      checks++;
      if (ours) matched++;
      outcomes.add(ours);
      if (ours !== theirs) disagreements.push(`${c.query} on ${JSON.stringify(contact)}: ours ${ours}, RapidPro ${theirs}`);
    }
    if (outcomes.size === 1) constant.push(c.query);
  }
  console.log('queries with the same outcome for every contact:', constant);
  console.log(JSON.stringify({ cases: cases.length, contacts: contacts.length, checks, matched, disagreements: disagreements.length }));
  assert.deepEqual(disagreements.slice(0, 5), []);
  // the synthetic contacts must make queries both match and miss, or agreement proves little
  assert.ok(constant.length <= 1, `too many queries with one outcome: ${constant.join(', ')}`);
});
