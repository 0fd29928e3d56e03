import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, buildEvents, waitForBuild } from './support/api-client.ts';
import { scriptedAgent } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic } from './support/scripted-anthropic.ts';
import { startTestPlatform, testEnv } from './support/test-platform.ts';

const SESSIONS = 300;

describe('a build of any length', () => {
  let model: ScriptedAnthropic;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let temporal: Client;

  beforeAll(async () => {
    // One initializer, then one feature per trivial coding session.
    model = await startScriptedAnthropic(scriptedAgent({ features: SESSIONS - 1 }));
    platform = await startTestPlatform(testEnv(model.url));
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  });
  afterAll(async () => {
    await platform?.stop();
    await temporal?.connection.close();
    await model?.close();
  });

  it(`completes ${SESSIONS} sessions through continue-as-new, no run's history passing 2,000 events`, async () => {
    const api = new ApiClient(platform.url);
    await api.signUp();
    const { body: build } = await api.json('POST', '/api/builds', { spec: 'A very long build.', options: { maxIterations: SESSIONS + 10 } });
    const done = await waitForBuild(api, build.id, 'the long build', (b) => b.status === 'completed' || b.status === 'failed', 600_000);
    expect(done.status).toBe('completed');
    expect(done.iteration).toBe(SESSIONS);
    expect(done.features).toEqual({ total: SESSIONS - 1, passing: SESSIONS - 1 });

    const runs: string[] = [];
    for await (const execution of temporal.workflow.list({ query: `WorkflowId = '${build.workflow.id}'` })) runs.push(execution.runId);
    expect(runs.length).toBeGreaterThanOrEqual(6);
    for (const runId of runs) {
      const history = await temporal.workflow.getHandle(build.workflow.id, runId).fetchHistory();
      expect(history.events?.length ?? 0).toBeLessThan(2_000);
    }

    const events = await buildEvents(api, build.id);
    expect(events.filter((e) => e.type === 'feature_passed')).toHaveLength(SESSIONS - 1);
    expect(events.filter((e) => e.type === 'continued_as_new').length).toBe(runs.length - 1);
    // One sandbox for the whole build: continue-as-new hands it on rather than rebuilding it.
    expect(events.filter((e) => e.type === 'sandbox_created')).toHaveLength(1);
    // 300 real sessions take about two minutes alone and longer beside the rest of the suite:
    // the build's own wait (10 minutes) bounds it, not the default test timeout.
  }, 660_000);
});
