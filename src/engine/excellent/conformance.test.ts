import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceDirIfPresent, SKIP_MESSAGE } from '../../conformance/harness.ts';
import { ENGINE_TEMPLATES_SKIP_REASON, sets } from './conformance.ts';

const TARGET = 0.98;

for (const set of sets) {
  test(`conformance: ${set.name} passes at least ${TARGET * 100}% of its cases`, async (t) => {
    const dir = conformanceDirIfPresent();
    if (!dir) return t.skip(SKIP_MESSAGE);
    const r = await set.run(dir);
    console.log(JSON.stringify({ set: r.set, passed: r.passed, failed: r.failed, skipped: r.skipped }));
    for (const f of r.failures) console.log(`  FAIL ${f.name}: ${f.reason}`);
    const ran = r.passed + r.failed;
    if (set.name === 'engine_templates') console.log(`  ${r.skipped} skipped: ${ENGINE_TEMPLATES_SKIP_REASON}`);
    if (ran === 0) return t.skip(`${set.name}: no runnable cases (${r.skipped} skipped)`);
    assert.ok(r.passed / ran >= TARGET, `${set.name}: ${r.passed}/${ran} passed`);
  });
}
