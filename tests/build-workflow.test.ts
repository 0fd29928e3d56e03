import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, buildEvents, waitFor, waitForBuild } from './support/api-client.ts';
import { recordHistories } from './support/histories.ts';
import { scriptedAgent } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic } from './support/scripted-anthropic.ts';
import { startTestPlatform, testEnv } from './support/test-platform.ts';

const run = promisify(execFile);
const temporalCli = (...args: string[]) => run(inject('temporalBinary'), [...args, '--address', inject('temporalAddress')], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the build workflow', () => {
  let model: ScriptedAnthropic;
  let env: Record<string, string>;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let api: ApiClient;
  let temporal: Client;

  beforeAll(async () => {
    model = await startScriptedAnthropic(scriptedAgent({ features: 3 }));
    env = testEnv(model.url);
    platform = await startTestPlatform(env);
    api = new ApiClient(platform.url);
    await api.signUp();
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  });
  afterAll(async () => {
    await platform?.stop();
    await temporal?.connection.close();
    await model?.close();
  });

  const startBuild = async (options: Record<string, unknown> = {}) => {
    const res = await api.json('POST', '/api/builds', { spec: 'An app with three features.', options });
    expect(res.status).toBe(201);
    return res.body as { id: string; workflow: { id: string } };
  };
  const sandboxDir = (id: string) => path.join(env.DATA_DIR!, 'sandboxes', `local-${id}`);

  it('pauses mid-session, stays paused across a worker restart, and completes after resume', async () => {
    const agent = scriptedAgent({ features: 3, hold: { codingSession: 2, ms: 60_000 } });
    model.setHandler(agent);
    const build = await startBuild();
    await waitFor('the held session', async () => agent.sessions() >= 3);
    const pausedAt = Date.now();
    const pause = await api.json('POST', `/api/builds/${build.id}/pause`);
    expect(pause.status).toBe(202);
    const paused = await waitForBuild(api, build.id, 'paused', (b) => b.status === 'paused');
    // The session was stopped at its safe point, long before its scripted minute was up.
    expect(Date.now() - pausedAt).toBeLessThan(30_000);
    expect(paused.error).toBeNull();
    expect(paused.features.passing).toBe(1);
    const events = await buildEvents(api, build.id);
    expect(events.map((e) => e.type)).toContain('session_interrupted');
    expect(events.filter((e) => e.type === 'paused')).toHaveLength(1);

    // Nothing runs while paused, not even after the worker is replaced.
    const requestsWhenPaused = model.requests.length;
    await platform.stop();
    platform = await startTestPlatform(env);
    api = Object.assign(new ApiClient(platform.url), { cookie: (api as any).cookie });
    await sleep(2_000);
    expect(model.requests.length).toBe(requestsWhenPaused);
    expect((await api.json('GET', `/api/builds/${build.id}`)).body).toMatchObject({ status: 'paused', iteration: paused.iteration });
    expect(fs.readdirSync(sandboxDir(build.id))).toContain('workspace');

    expect((await api.json('POST', `/api/builds/${build.id}/resume`)).status).toBe(202);
    const done = await waitForBuild(api, build.id, 'completed', (b) => b.status === 'completed');
    expect(done.features).toEqual({ total: 3, passing: 3 });
    const passed = (await buildEvents(api, build.id)).filter((e) => e.type === 'feature_passed').map((e) => e.data.index);
    expect(passed).toEqual([0, 1, 2]);
    await recordHistories(temporal, build.workflow.id, 'pause-restart-resume');
  });

  it('is cancelled from the API mid-session: artifact saved, sandbox gone, run cancelled in Temporal', async () => {
    model.setHandler(scriptedAgent({ features: 3, hold: { codingSession: 1, ms: 60_000 } }));
    const build = await startBuild();
    await waitForBuild(api, build.id, 'the first coding session', (b) => b.iteration === 2);
    expect((await api.json('POST', `/api/builds/${build.id}/cancel`)).status).toBe(202);
    const cancelled = await waitForBuild(api, build.id, 'cancelled', (b) => b.status === 'cancelled');
    expect(cancelled.artifact).not.toBeNull();
    expect((await api.request('GET', `/api/builds/${build.id}/artifact`)).status).toBe(200);
    expect(fs.existsSync(sandboxDir(build.id))).toBe(false);
    const description = await temporal.workflow.getHandle(build.workflow.id).describe();
    expect(description.status.name).toBe('CANCELLED');
    // A finished build cannot be paused or cancelled again.
    expect((await api.json('POST', `/api/builds/${build.id}/pause`)).status).toBe(409);
    expect((await api.json('POST', `/api/builds/${build.id}/cancel`)).status).toBe(409);
    await recordHistories(temporal, build.workflow.id, 'cancel-mid-session');
  });

  it('is found, paused and cancelled by operators with the temporal CLI', async () => {
    model.setHandler(scriptedAgent({ features: 3, hold: { codingSession: 1, ms: 60_000 } }));
    const build = await startBuild();
    await waitForBuild(api, build.id, 'running', (b) => b.iteration === 2);
    const listed = await waitFor('the search attribute to be indexed', async () => {
      const { stdout } = await temporalCli('workflow', 'list', '--query', `BuildStatus='running' AND BuildId='${build.id}'`, '--output', 'json');
      return stdout.includes(build.workflow.id) && stdout;
    }, 30_000, 500);
    expect(listed).toContain(build.workflow.id);

    await temporalCli('workflow', 'signal', '--workflow-id', build.workflow.id, '--name', 'pause');
    await waitForBuild(api, build.id, 'paused by the CLI', (b) => b.status === 'paused');
    const state = await temporal.workflow.getHandle(build.workflow.id).query('state');
    expect(state).toMatchObject({ status: 'paused', pauseRequested: true });

    await temporalCli('workflow', 'cancel', '--workflow-id', build.workflow.id);
    const cancelled = await waitForBuild(api, build.id, 'cancelled by the CLI', (b) => b.status === 'cancelled');
    expect(cancelled.artifact).not.toBeNull();
    expect(fs.existsSync(sandboxDir(build.id))).toBe(false);
  });

  it('restores a deleted sandbox from its checkpoint and completes', async () => {
    let release!: () => void;
    model.setHandler(scriptedAgent({ features: 3, hold: { codingSession: 2, until: new Promise<void>((r) => (release = r)) } }));
    const build = await startBuild();
    await waitForBuild(api, build.id, 'the second coding session', (b) => b.iteration === 3);
    fs.rmSync(sandboxDir(build.id), { recursive: true, force: true });
    release();
    const done = await waitForBuild(api, build.id, 'completed after the loss', (b) => b.status === 'completed');
    expect(done.features).toEqual({ total: 3, passing: 3 });
    const events = await buildEvents(api, build.id);
    const types = events.map((e) => e.type);
    expect(types).toContain('sandbox_lost');
    expect(types).toContain('sandbox_restored');
    expect(events.filter((e) => e.type === 'feature_passed').map((e) => e.data.index)).toEqual([0, 1, 2]);
    // The restored workspace carries the git history of the sessions before the loss.
    const download = await api.request('GET', `/api/builds/${build.id}/artifact`);
    expect(download.status).toBe(200);
    await recordHistories(temporal, build.workflow.id, 'lost-sandbox');
  });

  it.each([
    { limit: 'max_cost', options: { maxCostUsd: 0.001 }, raise: { maxCostUsd: 100 }, agent: {} },
    { limit: 'max_iterations', options: { maxIterations: 2 }, raise: { maxIterations: 10 }, agent: {} },
    { limit: 'stalled', options: { stallLimit: 2 }, raise: {}, agent: { idleSessions: [1, 2] } },
  ])('pauses at the $limit limit with its reason, and completes once resumed with a raised limit', async ({ limit, options, raise, agent }) => {
    model.setHandler(scriptedAgent({ features: 3, ...agent }));
    const build = await startBuild(options);
    const paused = await waitForBuild(api, build.id, `paused at ${limit}`, (b) => b.status === 'paused');
    expect(paused.error.code).toBe(limit);
    expect(paused.error.message.length).toBeGreaterThan(20);
    // Resume without raising a limit that is still reached keeps the build paused.
    if (limit !== 'stalled') {
      await api.json('POST', `/api/builds/${build.id}/resume`);
      await sleep(1_000);
      expect((await api.json('GET', `/api/builds/${build.id}`)).body.status).toBe('paused');
    }
    const resumed = await api.json('POST', `/api/builds/${build.id}/resume`, { limits: raise });
    expect(resumed.status).toBe(202);
    const done = await waitForBuild(api, build.id, 'completed after resume', (b) => b.status === 'completed');
    expect(done.features).toEqual({ total: 3, passing: 3 });
    expect(done.error).toBeNull();
    await recordHistories(temporal, build.workflow.id, `limit-${limit}`);
  });

  it('refuses nonsense limits on resume with 400', async () => {
    model.setHandler(scriptedAgent({ features: 3 }));
    const build = await startBuild({ maxIterations: 1 });
    await waitForBuild(api, build.id, 'paused', (b) => b.status === 'paused');
    expect((await api.json('POST', `/api/builds/${build.id}/resume`, { limits: { maxIterations: 0 } })).status).toBe(400);
    expect((await api.json('POST', `/api/builds/${build.id}/resume`, { limits: { turbo: true } })).status).toBe(400);
    expect((await api.json('POST', `/api/builds/${build.id}/pause`)).status).toBe(409);
    await api.json('POST', `/api/builds/${build.id}/cancel`);
    await waitForBuild(api, build.id, 'cancelled', (b) => b.status === 'cancelled');
  });

  it('resumes a failed build from its checkpoint without redoing passed features', async () => {
    // Coding session 2 fails on both of its attempts: the build fails.
    model.setHandler(scriptedAgent({ features: 3, failSessions: { sessions: [2, 3], status: 400, type: 'invalid_request_error' } }));
    const build = await startBuild();
    const failed = await waitForBuild(api, build.id, 'failed', (b) => b.status === 'failed');
    expect(failed.features.passing).toBe(1);
    expect(failed.error.message).toContain('scripted failure');
    expect(failed.artifact).not.toBeNull();

    model.setHandler(scriptedAgent({ features: 3 }));
    const resumed = await api.json('POST', `/api/builds/${build.id}/resume`);
    expect(resumed.status).toBe(202);
    const done = await waitForBuild(api, build.id, 'completed after resume', (b) => b.status === 'completed');
    expect(done.features).toEqual({ total: 3, passing: 3 });
    const events = await buildEvents(api, build.id);
    expect(events.filter((e) => e.type === 'feature_passed').map((e) => e.data.index)).toEqual([0, 1, 2]);
    expect(events.map((e) => e.type)).toContain('sandbox_restored');
    // The new run went straight to coding: no second initializer.
    expect(events.filter((e) => e.type === 'session_started' && e.data.kind === 'initializer')).toHaveLength(1);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
    await recordHistories(temporal, build.workflow.id, 'failed-then-resumed');
  });
});
