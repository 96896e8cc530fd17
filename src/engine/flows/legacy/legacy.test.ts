import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_MESSAGE, conformanceDirIfPresent } from '../../../conformance/harness.ts';
import { evaluateLegacyCase, loadLegacyExpressionCases, sets } from './conformance.ts';
import { migrateLegacyFlow } from './flow.ts';
import { LegacyDefinitionError } from './errors.ts';

function counter(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

const NODE_A = '10e483a8-5ffb-4c4f-917b-d43ce86c1d65';
const NODE_B = '5b977652-91e3-48be-8e86-7c8094b4aa8f';

describe('legacy flow conversion', () => {
  test('a wait with shared categories, a timeout and translations', () => {
    const flow = migrateLegacyFlow({
      base_language: 'eng', flow_type: 'M', entry: NODE_A,
      metadata: { uuid: '50c3706e-fedb-42c0-8eab-dda3335714b7', name: 'Beer', expires: 60, notes: [{ x: 10.7, y: 20, title: 'T', body: 'B' }] },
      action_sets: [{ uuid: NODE_B, x: 0, y: 300, exit_uuid: 'cfcf5cef-49f9-41a6-886b-f466575a3045', actions: [
        { type: 'reply', uuid: 'a1a1a1a1-0000-4000-8000-000000000001', msg: { eng: 'Cheers @flow.beer.category', fra: 'Santé' } },
      ] }],
      rule_sets: [{
        uuid: NODE_A, x: 5, y: 0, ruleset_type: 'wait_message', label: 'Beer', operand: '@step.value',
        rules: [
          { uuid: 'e1e1e1e1-0000-4000-8000-000000000001', test: { type: 'contains_any', test: { eng: 'yes', fra: 'oui' } }, category: { eng: 'Yes', fra: 'Oui' }, destination: NODE_B },
          { uuid: 'e1e1e1e1-0000-4000-8000-000000000002', test: { type: 'contains_any', test: { eng: 'yup' } }, category: { eng: 'Yes' }, destination: NODE_B },
          { uuid: 'e1e1e1e1-0000-4000-8000-000000000003', test: { type: 'true' }, category: { eng: 'Other' }, destination: 'f0000000-0000-4000-8000-000000000000' },
          { uuid: 'e1e1e1e1-0000-4000-8000-000000000004', test: { type: 'timeout', minutes: 5 }, category: { eng: 'No Response' } },
        ],
      }],
    }, { baseMediaURL: '', newUUID: counter() }) as Record<string, any>;

    assert.equal(flow.nodes[0].uuid, NODE_A, 'entry node first');
    const router = flow.nodes[0].router;
    assert.deepEqual(router.categories.map((c: { name: string }) => c.name), ['Yes', 'Other', 'No Response']);
    assert.equal(router.cases.length, 2);
    assert.deepEqual(router.wait, { type: 'msg', timeout: { seconds: 300, category_uuid: router.categories[2].uuid } });
    assert.equal(router.default_category_uuid, router.categories[1].uuid);
    // an unknown destination is dropped
    assert.deepEqual(flow.nodes[0].exits[1], { uuid: 'e1e1e1e1-0000-4000-8000-000000000003' });
    assert.equal(flow.nodes[1].actions[0].text, 'Cheers @results.beer.category_localized');
    assert.deepEqual(flow.localization.fra[router.cases[0].uuid], { arguments: ['oui'] });
    assert.deepEqual(flow._ui.nodes[NODE_A], { type: 'wait_for_response', position: { left: 5, top: 0 } });
    assert.deepEqual(Object.values(flow._ui.stickies), [{ position: { left: 10, top: 20 }, title: 'T', body: 'B', color: 'yellow' }]);
    assert.equal(flow.expire_after_minutes, 60);
  });

  test('unconvertible parts give clear errors', () => {
    const opts = { baseMediaURL: '', newUUID: counter() };
    assert.throws(() => migrateLegacyFlow({ rule_sets: [{ uuid: NODE_A, ruleset_type: 'teleport', rules: [] }] }, opts),
      (e: unknown) => e instanceof LegacyDefinitionError && /unrecognized ruleset type: teleport/.test(e.message));
    assert.throws(() => migrateLegacyFlow({ rule_sets: [{ uuid: NODE_A, rules: [{ uuid: NODE_B, test: { type: 'magic' } }] }] }, opts),
      /migration of 'magic' tests not supported/);
    assert.throws(() => migrateLegacyFlow({ action_sets: [{ uuid: 'x', exit_uuid: NODE_B }] }, opts), /action_sets\[0\]\.uuid' must be a valid UUID/);
    assert.throws(() => migrateLegacyFlow({ rule_sets: [{ uuid: NODE_A, ruleset_type: 'subflow', rules: [] }] }, opts), /subflow ruleset has no flow/);
    // an empty operand on a delimited split is odd but convertible
    const split = migrateLegacyFlow({ rule_sets: [{ uuid: NODE_A, ruleset_type: 'form_field', operand: '', config: { field_index: 1, field_delimiter: ' ' }, rules: [] }] }, opts) as { nodes: { router: { operand: string } }[] };
    assert.equal(split.nodes[0].router.operand, '@(field(, 1, " "))');
    assert.throws(() => migrateLegacyFlow({ rule_sets: [{ uuid: NODE_A, ruleset_type: 'airtime', rules: [],
      config: { EC: { currency_code: 'USD', amount: 3 }, SV: { currency_code: 'USD', amount: 4 } } }] }, opts), /different amounts in same currency/);
  });
});

describe('legacy conformance', () => {
  for (const name of ['legacy', 'legacy_expressions', 'legacy_expressions_eval']) {
    test(`replays goflow ${name} cases`, async (t) => {
      const dir = conformanceDirIfPresent();
      if (!dir) return t.skip(SKIP_MESSAGE);
      const r = await sets.find((s) => s.name === name)!.run(dir);
      console.log(JSON.stringify({ set: r.set, passed: r.passed, failed: r.failed, skipped: r.skipped }));
      for (const f of r.failures) console.log(`  ${f.name}: ${f.reason}`);
      assert.ok(r.passed + r.failed + r.skipped >= (name === 'legacy' ? 86 : 107), 'all cases were read');
      assert.ok(r.passed / (r.passed + r.failed) >= 0.95, `pass rate ${r.passed}/${r.passed + r.failed}`);
    });
  }
});

test('legacy expression outputs identical to the legacy engine (informational)', (t) => {
  const dir = conformanceDirIfPresent();
  if (!dir) return t.skip(SKIP_MESSAGE);
  const cases = loadLegacyExpressionCases(dir);
  const identical = cases.filter((tc) => evaluateLegacyCase(tc)?.output === tc.output).length;
  // rendering differs by design (TRUE vs true, failed expressions kept as text), so no target here
  console.log(JSON.stringify({ legacy_expression_outputs_identical: identical, of: cases.length }));
  assert.ok(identical > 0);
});
