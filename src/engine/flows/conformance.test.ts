import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceDirIfPresent, SKIP_MESSAGE } from '../../conformance/harness.ts';
import { sets } from './conformance.ts';

const TARGETS: Record<string, number> = {
  runner: 0.95,
  actions: 0.95,
  routers: 0.95,
  resumes: 0.95,
  triggers: 0.95,
  events: 0.95,
  modifiers: 0.9,
  inspection: 0.95,
};

for (const set of sets) {
  test(`conformance set ${set.name} meets its target`, async (t) => {
    const dir = conformanceDirIfPresent();
    if (!dir) {
      t.skip(SKIP_MESSAGE);
      return;
    }
    const r = await set.run(dir);
    const total = r.passed + r.failed;
    console.log(JSON.stringify({ set: r.set, passed: r.passed, failed: r.failed, skipped: r.skipped }));
    for (const f of r.failures) console.log(`  FAIL ${f.name}: ${f.reason}`);
    assert.ok(total > 0, `set ${set.name} found no cases`);
    const rate = r.passed / total;
    assert.ok(rate >= TARGETS[set.name], `${set.name}: ${r.passed}/${total} passed, target ${TARGETS[set.name] * 100}%`);
  });
}
