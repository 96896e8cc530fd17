// Reports pass counts per conformance set, one JSON object per line. Always exits 0: the tests
// enforce the targets, this command only reports.
import { allSets } from '../src/conformance/sets.ts';
import { conformanceDirIfPresent, SKIP_MESSAGE } from '../src/conformance/harness.ts';

const dir = conformanceDirIfPresent();
if (!dir) {
  console.error(SKIP_MESSAGE);
} else {
  const verbose = process.argv.includes('--verbose');
  for (const set of await allSets()) {
    const r = await set.run(dir);
    console.log(JSON.stringify({ set: r.set, passed: r.passed, failed: r.failed, skipped: r.skipped }));
    if (verbose) for (const f of r.failures) console.error(`  ${r.set}: ${f.name}: ${f.reason}`);
  }
}
