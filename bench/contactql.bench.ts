// contactql throughput: parses/s and in-memory evaluations/s of typical queries. Each figure sits
// next to a ceiling measured in the same run on the same machine: JSON.parse of a text of the same
// length (a native parser) for parsing, and a hand-written predicate for evaluation.
import {
  evaluateQuery,
  parseQuery,
  staticResolver,
  type QueryableContact,
  type QueryEnvironment,
} from '../src/engine/contactql/index.ts';

const env: QueryEnvironment = { timezone: 'Africa/Kigali', dateFormat: 'DD-MM-YYYY', defaultCountry: 'RW', redactionPolicy: 'none' };
const resolver = staticResolver({
  fields: [
    { key: 'age', type: 'number' },
    { key: 'gender', type: 'text' },
    { key: 'district', type: 'district' },
  ],
  groups: [{ uuid: 'a1f3', name: 'U-Reporters' }],
  flows: [{ uuid: 'b2e4', name: 'Registration' }],
});

const contact: QueryableContact = {
  uuid: '0f6a3c1e-6a55-4a0b-9b1c-7d8e9f000001',
  name: 'Joseph Nkurunziza',
  language: 'kin',
  status: 'active',
  createdOn: '2024-03-05T10:00:00Z',
  urns: ['tel:+250788123456', 'whatsapp:250788123456'],
  groups: [{ uuid: 'a1f3', name: 'U-Reporters' }],
  tickets: 0,
  fields: {
    age: { text: '34', number: 34 },
    gender: { text: 'F' },
    district: { text: 'Gasabo', district: 'Rwanda > Kigali City > Gasabo' },
  },
};

const queries = [
  'age > 18 AND gender = "f"',
  'tel ~ 0788',
  'group = "U-Reporters"',
  'name ~ "jo"',
  'created_on > 01-01-2024',
  'fields.district = "Gasabo" OR age < 12',
  'joseph nkurunziza',
  '0788 123 456',
];

// the same predicates written by hand: the most an evaluator could hope for
const handWritten: ((c: QueryableContact) => boolean)[] = [
  (c) => Number(c.fields?.age?.number) > 18 && c.fields?.gender?.text.trim().toLowerCase() === 'f',
  (c) => (c.urns ?? []).some((u) => typeof u === 'string' && u.startsWith('tel:') && u.slice(4).includes('0788')),
  (c) => (c.groups ?? []).some((g) => g.uuid === 'a1f3'),
  (c) => (c.name ?? '').toLowerCase().split(/\s+/).some((t) => t.startsWith('jo')),
  (c) => Date.parse(String(c.createdOn)) >= Date.parse('2024-01-01T22:00:00Z'),
  (c) => c.fields?.district?.district?.split('>').pop()?.trim().toLowerCase() === 'gasabo' || Number(c.fields?.age?.number) < 12,
  (c) => {
    const tokens = (c.name ?? '').toLowerCase().split(/\s+/);
    return tokens.some((t) => t.startsWith('joseph')) && tokens.some((t) => t.startsWith('nkurunzi'));
  },
  (c) => (c.urns ?? []).some((u) => u === 'tel:+250788123456'),
];

function rate(run: () => void, minMs = 400): number {
  for (let i = 0; i < 200; i++) run(); // warm up the JIT
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 100; i++) run();
    n += 100;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);

console.log('query'.padEnd(42), 'parses/s'.padStart(12), 'JSON ceil/s'.padStart(12), 'ratio'.padStart(7), 'evals/s'.padStart(12), 'hand ceil/s'.padStart(12), 'ratio'.padStart(7));
let sink = 0;
for (const [i, q] of queries.entries()) {
  const json = JSON.stringify({ q: q.padEnd(q.length, ' ') });
  const parseRate = rate(() => parseQuery(q, env, resolver));
  const jsonRate = rate(() => {
    sink += (JSON.parse(json) as { q: string }).q.length;
  });
  const parsed = parseQuery(q, env, resolver);
  if (evaluateQuery(parsed, contact, env) !== handWritten[i](contact)) throw new Error(`hand-written predicate disagrees on ${q}`);
  const evalRate = rate(() => {
    sink += evaluateQuery(parsed, contact, env) ? 1 : 0;
  });
  const handRate = rate(() => {
    sink += handWritten[i](contact) ? 1 : 0;
  });
  console.log(
    q.padEnd(42),
    fmt(parseRate),
    fmt(jsonRate),
    (parseRate / jsonRate).toFixed(3).padStart(7),
    fmt(evalRate),
    fmt(handRate),
    (evalRate / handRate).toFixed(3).padStart(7),
  );
}
if (sink < 0) console.log(sink);
