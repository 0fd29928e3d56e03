import fs from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR } from './support/histories.ts';

// Histories recorded from earlier versions of the workflow (`npm run record-histories`).
// Replaying them against today's code proves running builds survive a deploy; a change
// that alters the order of commands must go behind patched() to pass.
const files = fs.existsSync(HISTORIES_DIR)
  ? (fs.readdirSync(HISTORIES_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort()
  : [];

describe('workflow replay of committed histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    // One folder per workflow version: the oldest must keep replaying as long as builds may run it.
    expect(new Set(files.map((f) => f.split('/')[0])).size).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(new URL(file, HISTORIES_DIR), 'utf8')));
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, `replay-${file}`);
  });
});
