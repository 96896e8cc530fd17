import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryEnvironment } from './environment.ts';
import { inspectQuery, parseQuery, staticResolver } from './index.ts';

const env: QueryEnvironment = { timezone: 'UTC', dateFormat: 'YYYY-MM-DD', redactionPolicy: 'none' };
const resolver = staticResolver({
  fields: [
    { key: 'district', name: 'District', type: 'district' },
    { key: 'age', name: 'Age', type: 'number' },
  ],
  groups: [{ uuid: 'g-9', name: 'Mothers' }],
});

test('lists attributes, schemes and fields, and allows plain queries as groups', () => {
  const inspection = inspectQuery(parseQuery('mary OR whatsapp ~ 2507 AND district = Gasabo AND tel != "" OR age > 3 OR district != ""', env, resolver));
  assert.deepEqual(inspection, {
    attributes: ['name'],
    schemes: ['tel', 'whatsapp'],
    fields: [
      { key: 'district', name: 'District' },
      { key: 'age', name: 'Age' },
    ],
    groups: [],
    allowAsGroup: true,
  });
});

test('queries on groups, flows, status, id or ref cannot define a group', () => {
  for (const q of ['group = Mothers', 'status = active', 'id = 5', 'ref = ABCDEF', 'flow = ""', 'history != ""']) {
    assert.equal(inspectQuery(parseQuery(q, env)).allowAsGroup, false, q);
  }
  assert.equal(inspectQuery(parseQuery('tickets > 0 AND created_on > 2020-01-01 AND language = eng', env)).allowAsGroup, true);
});

test('groups are resolved with a resolver, else named as written', () => {
  assert.deepEqual(inspectQuery(parseQuery('group = mothers OR group = MOTHERS', env, resolver)).groups, [{ uuid: 'g-9', name: 'Mothers' }]);
  assert.deepEqual(inspectQuery(parseQuery('group = mothers', env)).groups, [{ nameMatch: 'mothers' }]);
  assert.deepEqual(inspectQuery(parseQuery('group = ""', env, resolver)).groups, []);
  assert.deepEqual(inspectQuery(parseQuery('age > 1', env)).fields, [{ key: 'age', name: '' }]);
});
