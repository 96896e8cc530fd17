import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryableContact } from './contact.ts';
import type { QueryEnvironment } from './environment.ts';
import { parseQuery, reevaluateSmartGroups, staticResolver, type SmartGroup } from './index.ts';

const env: QueryEnvironment = { timezone: 'Africa/Kampala', dateFormat: 'DD-MM-YYYY', defaultCountry: 'UG', redactionPolicy: 'none' };
const resolver = staticResolver({ fields: [{ key: 'age', type: 'number' }, { key: 'parish', type: 'text' }] });
const smart = (uuid: string, name: string, query: string): SmartGroup => ({ uuid, name, query: parseQuery(query, env, resolver) });

const groups = [
  smart('s-adults', 'Adults', 'age >= 18'),
  smart('s-mtn', 'MTN subscribers', 'tel ~ "+25677"'),
  smart('s-nakawa', 'Nakawa', 'parish = nakawa'),
];

test('a contact joins and leaves smart groups as it changes, manual groups untouched', () => {
  let contact: QueryableContact = {
    uuid: 'c-1',
    name: 'Okello',
    urns: ['tel:+256772000111'],
    groups: [{ uuid: 'm-choir', name: 'Choir' }],
    fields: { age: { text: '17', number: 17 } },
  };
  const step = (change: Partial<QueryableContact>) => {
    contact = { ...contact, ...change };
    const { added, removed } = reevaluateSmartGroups(groups, contact, env);
    const uuids = new Set((contact.groups ?? []).map((g) => g.uuid));
    added.forEach((g) => uuids.add(g.uuid));
    removed.forEach((g) => uuids.delete(g.uuid));
    contact = { ...contact, groups: [...uuids].map((uuid) => ({ uuid, name: uuid })) };
    return { added: added.map((g) => g.uuid), removed: removed.map((g) => g.uuid), now: [...uuids].sort() };
  };

  assert.deepEqual(step({}), { added: ['s-mtn'], removed: [], now: ['m-choir', 's-mtn'] });
  assert.deepEqual(step({}), { added: [], removed: [], now: ['m-choir', 's-mtn'] });
  assert.deepEqual(step({ fields: { age: { text: '18', number: 18 } } }), { added: ['s-adults'], removed: [], now: ['m-choir', 's-adults', 's-mtn'] });
  assert.deepEqual(step({ urns: ['tel:+256701000222'] }), { added: [], removed: ['s-mtn'], now: ['m-choir', 's-adults'] });
  assert.deepEqual(step({ fields: { age: { text: '18', number: 18 }, parish: { text: 'Nakawa ' } } }), {
    added: ['s-nakawa'],
    removed: [],
    now: ['m-choir', 's-adults', 's-nakawa'],
  });
  assert.deepEqual(step({ fields: {} }), { added: [], removed: ['s-adults', 's-nakawa'], now: ['m-choir'] });
});
