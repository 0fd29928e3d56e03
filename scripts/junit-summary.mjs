// Prints the plain `N passed, N failed[, N skipped]` line CI reads, from vitest's JUnit report.
import fs from 'node:fs';

const file = process.argv[2] ?? 'test-results/junit.xml';
if (!fs.existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`No test report at ${file}: the test run did not finish.`);
  process.exit(0);
}
const xml = fs.readFileSync(file, 'utf8');
const suites = [...xml.matchAll(/<testsuite\b([^>]*)>/g)].map((m) => m[1]);
const attr = (name) => suites.reduce((sum, s) => sum + Number(new RegExp(`\\b${name}="(\\d+)"`).exec(s)?.[1] ?? 0), 0);
const total = attr('tests');
const failed = attr('failures') + attr('errors');
const skipped = attr('skipped');
const passed = total - failed - skipped;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
