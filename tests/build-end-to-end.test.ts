import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, waitFor } from './support/api-client.ts';
import { recordHistories } from './support/histories.ts';
import { scriptedAgent } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic } from './support/scripted-anthropic.ts';
import { startTestPlatform, testEnv, TEST_API_KEY } from './support/test-platform.ts';

const SPEC = '# Todo app\n\nA small todo list with add, complete and delete.\n';

describe('a build, end to end through the HTTP API', () => {
  let model: ScriptedAnthropic;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    model = await startScriptedAnthropic(scriptedAgent({ features: 3 }));
    env = testEnv(model.url);
    platform = await startTestPlatform(env);
  });
  afterAll(async () => {
    await platform?.stop();
    await model?.close();
  });

  it('finishes 3 features over 4 sessions, completes, and serves the workspace', async () => {
    const api = new ApiClient(platform.url);
    await api.signUp();
    const created = await api.json('POST', '/api/builds', { spec: SPEC });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.name).toBe('Todo app');
    expect(created.body.workflow.id).toBe(`build-${created.body.id}`);

    const build = await waitFor('the build to finish', async () => {
      const res = await api.json('GET', `/api/builds/${created.body.id}`);
      return ['completed', 'failed', 'cancelled'].includes(res.body.status) && res.body;
    });
    expect(build.status).toBe('completed');
    expect(build.error).toBeNull();
    expect(build.iteration).toBe(4);
    expect(build.features).toEqual({ total: 3, passing: 3 });
    expect(build.usage.inputTokens).toBeGreaterThan(0);
    expect(build.usage.costUsd).toBeGreaterThan(0);
    expect(build.artifact).not.toBeNull();
    expect(model.requests.every((r) => r.body.tools.some((t: { name: string }) => t.name === 'bash'))).toBe(true);

    const features = await api.json('GET', `/api/builds/${build.id}/features`);
    expect(features.body.features.map((f: { passes: boolean }) => f.passes)).toEqual([true, true, true]);

    const events = await api.json('GET', `/api/builds/${build.id}/events?limit=1000`);
    const types = events.body.events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'session_started')).toHaveLength(4);
    expect(types.filter((t: string) => t === 'feature_passed')).toHaveLength(3);
    const seqs = events.body.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const download = await api.request('GET', `/api/builds/${build.id}/artifact?format=tar.gz`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-'));
    fs.writeFileSync(path.join(dir, 'a.tar.gz'), Buffer.from(await download.arrayBuffer()));
    execFileSync('tar', ['xzf', 'a.tar.gz'], { cwd: dir });
    const list = JSON.parse(fs.readFileSync(path.join(dir, 'feature_list.json'), 'utf8'));
    expect(list).toHaveLength(3);
    expect(list.every((f: { passes: boolean }) => f.passes)).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'app_spec.txt'), 'utf8')).toBe(SPEC);
    // The agent's git history travels with the workspace.
    const log = execFileSync('git', ['log', '--oneline'], { cwd: dir, encoding: 'utf8' });
    expect(log.trim().split('\n')).toHaveLength(4);
    // The sandbox is gone once the build has finished.
    expect(fs.existsSync(path.join(env.DATA_DIR!, 'sandboxes', `local-${build.id}`))).toBe(false);
    // The API key never reaches events.
    expect(JSON.stringify(events.body)).not.toContain(TEST_API_KEY);
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    await recordHistories(new Client({ connection }), build.workflow.id, 'complete-three-features');
    await connection.close();
  });

  it('pauses a build with a reason a person can act on when no API key is set', async () => {
    const keyless = await startTestPlatform(testEnv(model.url, { ANTHROPIC_API_KEY: '' }));
    try {
      const api = new ApiClient(keyless.url);
      await api.signUp();
      const { body: created } = await api.json('POST', '/api/builds', { spec: SPEC });
      const paused = await waitFor('the build to pause', async () => {
        const res = await api.json('GET', `/api/builds/${created.id}`);
        return res.body.status === 'paused' && res.body;
      });
      expect(paused.error).toEqual({ code: 'MissingApiKey', message: expect.stringContaining('ANTHROPIC_API_KEY is not set') });
      expect(paused.iteration).toBe(1);
    } finally {
      await keyless.stop();
    }
  });
});
