import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { inject } from 'vitest';

const run = promisify(execFile);

export const HISTORIES_DIR = new URL('../histories/', import.meta.url);

/**
 * With RECORD_HISTORIES=<label> (`npm run record-histories -- <label>`), saves every run of a
 * workflow as tests/histories/<label>/<name>.<n>.json, exported by the temporal CLI as an
 * operator would. Each workflow version keeps its own folder; workflow-replay.test.ts replays
 * them all, so a change that would break builds started by an earlier version fails the tests.
 */
export async function recordHistories(temporal: Client, workflowId: string, name: string): Promise<void> {
  const label = process.env.RECORD_HISTORIES;
  if (!label) return;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(label)) throw new Error(`RECORD_HISTORIES must be a folder label like v2-pause-sandbox, got "${label}"`);
  const dir = new URL(`${label}/`, HISTORIES_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const runs: string[] = [];
  for await (const execution of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(execution.runId);
  let n = 0;
  for (const runId of runs.reverse()) {
    const { stdout } = await run(
      inject('temporalBinary'),
      ['workflow', 'show', '--workflow-id', workflowId, '--run-id', runId, '--output', 'json', '--address', inject('temporalAddress')],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    fs.writeFileSync(new URL(`${name}.${++n}.json`, dir), JSON.stringify(JSON.parse(stdout)));
  }
}
