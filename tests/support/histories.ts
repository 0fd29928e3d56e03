import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { inject } from 'vitest';

const run = promisify(execFile);

export const HISTORIES_DIR = new URL('../histories/', import.meta.url);

/**
 * With RECORD_HISTORIES=1 (`npm run record-histories`), saves every run of a workflow as
 * tests/histories/<name>.<n>.json, exported by the temporal CLI as an operator would. Committed
 * histories are replayed by workflow-replay.test.ts, so a workflow change that would break
 * running builds fails the tests.
 */
export async function recordHistories(temporal: Client, workflowId: string, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  const runs: string[] = [];
  for await (const execution of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(execution.runId);
  let n = 0;
  for (const runId of runs.reverse()) {
    const { stdout } = await run(
      inject('temporalBinary'),
      ['workflow', 'show', '--workflow-id', workflowId, '--run-id', runId, '--output', 'json', '--address', inject('temporalAddress')],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    fs.writeFileSync(new URL(`${name}.${++n}.json`, HISTORIES_DIR), JSON.stringify(JSON.parse(stdout)));
  }
}
