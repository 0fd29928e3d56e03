import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, buildEvents, waitFor, waitForBuild } from './support/api-client.ts';
import { spawnPlatform, type PlatformProcess } from './support/platform-process.ts';
import { scriptedAgent } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic } from './support/scripted-anthropic.ts';
import { startTestPlatform, testEnv } from './support/test-platform.ts';

// API and worker as separate processes share state through Postgres; PGlite lives in one process.
const databaseUrl = inject('databaseUrl');

describe.skipIf(!databaseUrl)('a worker process killed mid-session (needs Postgres at DATABASE_URL)', () => {
  let model: ScriptedAnthropic;
  let api: Awaited<ReturnType<typeof startTestPlatform>>;
  let worker: PlatformProcess | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    model = await startScriptedAnthropic(scriptedAgent({ features: 3 }));
    env = testEnv(model.url);
    api = await startTestPlatform({ ...env, ROLE: 'api' });
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await api?.stop();
    await model?.close();
  });

  it('is retried on a new worker: the build completes, no transition lost or doubled, events in order', async () => {
    const agent = scriptedAgent({ features: 3, hold: { codingSession: 2, ms: 120_000 } });
    model.setHandler(agent);
    worker = await spawnPlatform({ ...env, ROLE: 'worker' });
    const client = new ApiClient(api.url);
    await client.signUp();
    const { body: build } = await client.json('POST', '/api/builds', { spec: 'Three features, one crash.' });
    await waitFor('the held session', async () => agent.sessions() >= 3);
    worker.child.kill('SIGKILL');
    await worker.exited;

    // The dashboard keeps answering from the database while no worker runs.
    expect((await client.json('GET', `/api/builds/${build.id}`)).body).toMatchObject({ status: 'running', iteration: 3 });

    worker = await spawnPlatform({ ...env, ROLE: 'worker' });
    const done = await waitForBuild(client, build.id, 'completed on the new worker', (b) => b.status === 'completed');
    expect(done.features).toEqual({ total: 3, passing: 3 });
    const events = await buildEvents(client, build.id);
    expect(events.filter((e) => e.type === 'feature_passed').map((e) => e.data.index)).toEqual([0, 1, 2]);
    expect(events.every((e, i) => i === 0 || e.seq > events[i - 1]!.seq)).toBe(true);
    // The retried session ran as a second attempt of the same iteration.
    expect(events.filter((e) => e.type === 'session_started' && e.iteration === 3).map((e) => e.data.attempt)).toEqual([1, 2]);
    worker.child.kill('SIGTERM');
    await worker.exited;
    worker = null;
  });
});
