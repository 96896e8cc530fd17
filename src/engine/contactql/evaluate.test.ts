import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueryEnvironment } from './environment.ts';
import type { QueryableContact } from './contact.ts';
import { evaluateQuery, parseQuery, staticResolver } from './index.ts';

const env: QueryEnvironment = { timezone: 'Africa/Kigali', dateFormat: 'YYYY-MM-DD', defaultCountry: 'RW', redactionPolicy: 'none' };

const resolver = staticResolver({
  fields: [
    { key: 'score', type: 'number' },
    { key: 'joined', type: 'datetime' },
    { key: 'color', type: 'text' },
    { key: 'province', type: 'state' },
    { key: 'town', type: 'district' },
    { key: 'cell', type: 'ward' },
    { key: 'blank', type: 'text' },
    { key: 'missing', type: 'text' },
  ],
  groups: [
    { uuid: 'g-1', name: 'Farmers' },
    { uuid: 'g-2', name: 'Teachers' },
  ],
  flows: [
    { uuid: 'f-1', name: 'Survey' },
    { uuid: 'f-2', name: 'Onboarding' },
  ],
});

const contact: QueryableContact = {
  uuid: '5a8b1c2d-0000-4000-8000-00000000abcd',
  id: 4242,
  ref: 'KX7PQR',
  name: 'Amina Uwimanabaganwa',
  status: 'active',
  language: 'kin',
  createdOn: '2023-03-10T21:30:00Z', // 2023-03-10 23:30 in Kigali
  lastSeenOn: null,
  urns: ['tel:+250781234567?channel=6b1c', 'whatsapp:250781234567', 'mailto:amina@example.org'],
  groups: [{ uuid: 'g-1', name: 'Farmers' }],
  flow: { uuid: 'f-1', name: 'Survey' },
  history: [
    { uuid: 'f-1', name: 'Survey' },
    { uuid: 'f-2', name: 'Onboarding' },
  ],
  tickets: 2,
  fields: {
    score: { text: '17.5 points', number: 17.5 },
    joined: { text: '1999-12-31', datetime: '1999-12-31T08:00:00.000000+02:00' },
    color: { text: ' Teal ' },
    province: { text: 'Kigali', state: 'Rwanda > Kigali City' },
    town: { text: 'Gasabo', district: 'Rwanda > Kigali City > Gasabo' },
    cell: { text: 'Remera', ward: 'Rwanda > Kigali City > Gasabo > Remera' },
    blank: { text: '' },
  },
};

const cases: [string, boolean][] = [
  // attributes compared as text
  ['uuid = "5A8B1C2D-0000-4000-8000-00000000ABCD"', true],
  ['uuid != 5a8b1c2d-0000-4000-8000-00000000abcd', false],
  ['id = 4242', true],
  ['id = 4243', false],
  ['ref = kx7pqr', true],
  ['status = ACTIVE', true],
  ['status != stopped', true],
  ['language = KIN', true],
  ['language = eng', false],
  ['language != ""', true],
  // name: equality and token prefixes cut to 8 characters
  ['name = "amina uwimanabaganwa"', true],
  ['name = amina', false],
  ['name ~ ami', true],
  ['name ~ "Uwimanab"', true],
  ['name ~ "Uwimanabx"', true],
  ['name ~ "Uwimanx"', false],
  ['name ~ "mina"', false],
  ['name ~ "zz amina"', true],
  ['name != ""', true],
  // URNs: any value matches =, ~; != needs all to differ
  ['tel = +250781234567', true],
  ['tel = "+250781234568"', false],
  ['tel ~ 1234', true],
  ['tel ~ 9999', false],
  ['tel != +250781234567', false],
  ['tel != +250700000000', true],
  ['whatsapp = 250781234567', true],
  ['mailto ~ EXAMPLE', true],
  ['telegram = ""', true],
  ['telegram != ""', false],
  ['urn = amina@example.org', true],
  ['urn ~ 0781', true],
  ['urn != amina@example.org', false],
  ['mailto:amina@example.org', true],
  ['+250781234567', true],
  ['0781234567', true],
  ['0781 999', false],
  // groups and flows by identity
  ['group = farmers', true],
  ['group = Teachers', false],
  ['group != Teachers', true],
  ['group != Farmers', false],
  ['group != ""', true],
  ['flow = survey', true],
  ['flow = Onboarding', false],
  ['flow != Onboarding', true],
  ['history = Onboarding', true],
  ['history != Survey', false],
  // numbers
  ['tickets = 2', true],
  ['tickets > 1', true],
  ['tickets >= 3', false],
  ['score = 17.50', true],
  ['score > 17', true],
  ['score < 17.5', false],
  ['score <= 17.5', true],
  ['score != 17.5', false],
  ['score != 18', true],
  // datetimes: a query date is a whole day in the env timezone
  ['created_on = 2023-03-10', true],
  ['created_on = 2023-03-11', false],
  ['created_on != 2023-03-10', false],
  ['created_on > 2023-03-09', true],
  ['created_on > 2023-03-10', false],
  ['created_on >= 2023-03-10', true],
  ['created_on < 2023-03-11', true],
  ['created_on < 2023-03-10', false],
  ['created_on <= 2023-03-10', true],
  ['created_on <= 2023-03-09', false],
  ['created_on = "2023-03-10T21:30:00Z"', true],
  ['last_seen_on = ""', true],
  ['last_seen_on > 2000-01-01', false],
  ['joined = 1999-12-31', true],
  ['joined >= 2000-01-01', false],
  // text and location fields
  ['color = teal', true],
  ['color = "TEAL"', true],
  ['color != teal', false],
  ['color != red', true],
  ['province = "kigali city"', true],
  ['town = GASABO', true],
  ['cell = remera', true],
  ['cell != remera', false],
  ['cell = kimironko', false],
  ['blank != teal', true],
  ['blank = ""', false],
  ['missing = ""', true],
  ['missing != ""', false],
  ['missing != teal', true],
  ['score = "" OR missing != ""', false],
  // combinations: AND binds tighter than OR
  ['score > 10 AND color = teal', true],
  ['score > 10 AND color = red', false],
  ['score > 20 OR color = teal', true],
  ['(score > 20 OR color = teal) AND tickets = 0', false],
  ['score > 20 OR color = teal AND tickets = 0', false],
  ['tickets = 2 OR score > 20 AND color = red', true],
  ['amina farmers', false],
  ['amina uwimana', true],
];

describe('evaluateQuery', () => {
  for (const [query, expected] of cases) {
    test(`${query} → ${expected}`, () => {
      const parsed = parseQuery(query, env, resolver);
      assert.equal(evaluateQuery(parsed, contact, env), expected);
    });
  }

  test('what the flow engine does not know yields no values', () => {
    const engineView: QueryableContact = { uuid: contact.uuid, name: contact.name, urns: contact.urns, fields: contact.fields };
    const check = (q: string) => evaluateQuery(parseQuery(q, env, resolver), engineView, env);
    assert.equal(check('group = Farmers'), false);
    assert.equal(check('group = ""'), true);
    assert.equal(check('flow != Survey'), true);
    assert.equal(check('tickets > 0'), false);
    assert.equal(check('created_on > 2000-01-01'), false);
  });

  test('field conditions need a query parsed with a resolver', () => {
    const parsed = parseQuery('score > 3', env);
    assert.throws(() => evaluateQuery(parsed, contact, env), /resolver/);
  });
});
