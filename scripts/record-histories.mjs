// `npm run record-histories -- <label>`: runs the workflow scenarios and saves their histories
// under tests/histories/<label>/ for the replay test. Use a new label for each workflow version.
import { spawnSync } from 'node:child_process';

const label = process.argv[2];
if (!label || !/^[a-z0-9][a-z0-9-]*$/.test(label)) {
  console.error('Usage: npm run record-histories -- <label>   (e.g. v3-new-limit; lowercase letters, digits and dashes)');
  process.exit(2);
}
const r = spawnSync('npx', ['vitest', 'run', 'tests/build-workflow.test.ts', 'tests/build-end-to-end.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, RECORD_HISTORIES: label },
});
process.exit(r.status ?? 1);
