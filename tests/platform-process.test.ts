import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ApiClient, waitFor } from './support/api-client.ts';
import { isAlive, spawnPlatform, type PlatformProcess } from './support/platform-process.ts';
import { freePort } from './support/ports.ts';
import { scriptedAgent } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic } from './support/scripted-anthropic.ts';
import { TEST_API_KEY } from './support/test-platform.ts';

/** `npm start` as a user runs it: no TEMPORAL_ADDRESS, no DATABASE_URL, everything embedded. */
async function embeddedEnv(dataDir: string, modelUrl: string): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    PORT: String(await freePort()),
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    // The run's provisioned binary, found through the first place the tool helper looks.
    TEMPORAL_CLI_PATH: inject('temporalBinary'),
    ANTHROPIC_API_KEY: TEST_API_KEY,
    ANTHROPIC_BASE_URL: modelUrl,
    ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS: '3',
    LOG_LEVEL: 'warn',
  };
}

const temporalPid = (dataDir: string) => Number(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));

describe('the platform process on embedded defaults', () => {
  let model: ScriptedAnthropic;
  let running: PlatformProcess | null = null;

  beforeAll(async () => {
    model = await startScriptedAnthropic(scriptedAgent({ features: 3 }));
  });
  afterAll(async () => {
    running?.child.kill('SIGKILL');
    await model?.close();
  });

  it('serves the dashboard, API and Temporal Web UI on the configured ports, stops cleanly, and keeps its data', async () => {
    const dataDir = path.join(inject('tmpRoot'), 'embedded-start');
    const env = await embeddedEnv(dataDir, model.url);
    running = await spawnPlatform(env);
    expect(running.url).toBe(`http://localhost:${env.PORT}`);
    expect(running.output()).toContain(`Temporal Web UI:  http://localhost:${env.TEMPORAL_UI_PORT}`);

    expect((await fetch(`${running.url}/api/ready`)).status).toBe(200);
    const page = await fetch(`${running.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    // A client-side route loads the same app shell.
    expect(await (await fetch(`${running.url}/builds/123`)).text()).toContain('<div id="root">');
    expect((await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(true);

    const api = new ApiClient(running.url!);
    const user = await api.signUp();
    const pid = temporalPid(dataDir);
    expect(isAlive(pid)).toBe(true);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);

    // A second start on the same data dir has the same accounts.
    running = await spawnPlatform(env);
    const again = new ApiClient(running.url!);
    const login = await again.json('POST', '/api/auth/login', { email: user.email, password: 'correct horse battery' });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(user.id);
    running.child.kill('SIGTERM');
    await running.exited;
    running = null;
  });

  it('finishes a build after the platform is killed with SIGKILL mid-session and started again', async () => {
    const agent = scriptedAgent({ features: 3, hold: { codingSession: 2, ms: 120_000 } });
    model.setHandler(agent);
    const dataDir = path.join(inject('tmpRoot'), 'embedded-crash');
    const env = await embeddedEnv(dataDir, model.url);
    running = await spawnPlatform(env);
    const api = new ApiClient(running.url!);
    const user = await api.signUp();
    const { body: build } = await api.json('POST', '/api/builds', { spec: 'An app with three features.' });

    // Session 3 (the second coding session) is held by the model: the build is mid-session.
    await waitFor('the third session to be running', async () => agent.sessions() >= 3);
    const mid = await api.json('GET', `/api/builds/${build.id}`);
    expect(mid.body.status).toBe('running');
    expect(mid.body.iteration).toBe(3);
    const pid = temporalPid(dataDir);
    running.child.kill('SIGKILL');
    await running.exited;
    // The watchdog takes the Temporal server down with the killed platform: nothing is orphaned.
    await waitFor('the orphaned Temporal server to stop', async () => !isAlive(pid), 30_000);

    running = await spawnPlatform(env);
    const after = new ApiClient(running.url!);
    await after.json('POST', '/api/auth/login', { email: user.email, password: 'correct horse battery' });
    const done = await waitFor('the build to complete after the crash', async () => {
      const res = await after.json('GET', `/api/builds/${build.id}`);
      return res.body.status === 'completed' && res.body;
    });
    expect(done.features).toEqual({ total: 3, passing: 3 });
    const { body } = await after.json('GET', `/api/builds/${build.id}/events?limit=1000`);
    const events = body.events as Array<{ seq: number; type: string; data: { index?: number } }>;
    const passed = events.filter((e) => e.type === 'feature_passed').map((e) => e.data.index);
    expect(passed).toEqual([0, 1, 2]);
    const seqs = events.map((e) => e.seq);
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
    running.child.kill('SIGTERM');
    await running.exited;
    running = null;
  });
});
