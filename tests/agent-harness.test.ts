import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, buildEvents, waitForBuild } from './support/api-client.ts';
import { spawnPlatform } from './support/platform-process.ts';
import { FLIP_NEXT_FEATURE, initializerCommand, scriptedAgent } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic, type ScriptedError, type ScriptedReply, type ScriptedRequest } from './support/scripted-anthropic.ts';
import { startTestPlatform, testEnv, TEST_API_KEY } from './support/test-platform.ts';

type Reply = ScriptedReply | ScriptedError;

/** Which session a request belongs to and which of its turns it is. */
function sessionOf(req: ScriptedRequest) {
  const messages = req.body.messages as Array<{ role: string; content: any }>;
  const first = typeof messages[0]!.content === 'string' ? messages[0]!.content : JSON.stringify(messages[0]!.content);
  return { initializer: first.includes('FIRST session'), turn: (messages.length + 1) / 2, messages };
}
const bash = (command: string, usage?: ScriptedReply['usage']): ScriptedReply => ({ content: [{ type: 'tool_use', name: 'bash', input: { command } }], usage });
const done = (usage?: ScriptedReply['usage']): ScriptedReply => ({ content: [{ type: 'text', text: 'Committed; stopping.' }], usage });

async function extractArtifact(api: ApiClient, buildId: string): Promise<string> {
  const res = await api.request('GET', `/api/builds/${buildId}/artifact?format=tar.gz`);
  expect(res.status).toBe(200);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-artifact-'));
  fs.writeFileSync(path.join(dir, '.artifact.tar.gz'), Buffer.from(await res.arrayBuffer()));
  execFileSync('tar', ['xzf', '.artifact.tar.gz'], { cwd: dir });
  fs.rmSync(path.join(dir, '.artifact.tar.gz'));
  return dir;
}

describe('the agent harness', () => {
  let model: ScriptedAnthropic;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let api: ApiClient;

  beforeAll(async () => {
    model = await startScriptedAnthropic(scriptedAgent({ features: 1 }));
    // A model with a 1,000-token window, to reach the wrap-up threshold with small scripted usage.
    platform = await startTestPlatform(testEnv(model.url, { AGENT_MODEL_PRICES: '{"tiny-context-model":{"contextWindow":1000}}' }));
    api = new ApiClient(platform.url);
    await api.signUp();
  });
  afterAll(async () => {
    await platform?.stop();
    await model?.close();
  });

  const build = async (handler: (req: ScriptedRequest) => Reply | Promise<Reply>, body: Record<string, unknown> = {}) => {
    model.setHandler(handler);
    const from = model.requests.length;
    const res = await api.json('POST', '/api/builds', { spec: 'A tiny app.', ...body });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, requests: () => model.requests.slice(from) };
  };
  const finished = (id: string) => waitForBuild(api, id, 'the build to stop', (b) => ['completed', 'paused', 'failed', 'cancelled'].includes(b.status));

  it('runs a multi-turn streaming tool loop that builds a workspace, with the stable prefix cached', async () => {
    const b = await build((req) => {
      const { initializer, turn } = sessionOf(req);
      if (!initializer) return turn === 1 ? bash(FLIP_NEXT_FEATURE) : done();
      const steps: Reply[] = [
        { content: [{ type: 'tool_use', name: 'str_replace_based_edit_tool', input: { command: 'create', path: 'src/greet.js', file_text: "console.log('hello');\n" } }] },
        { content: [{ type: 'tool_use', name: 'str_replace_based_edit_tool', input: { command: 'str_replace', path: 'src/greet.js', old_str: 'hello', new_str: 'hello, world' } }] },
        bash('node src/greet.js > greeting.txt && cat greeting.txt'),
        { content: [{ type: 'tool_use', name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'greeting.txt' } }] },
        bash(initializerCommand(1)),
      ];
      return steps[turn - 1] ?? done();
    });
    const result = await finished(b.id);
    expect(result.status).toBe('completed');
    const requests = b.requests();
    expect(requests.length).toBe(8);
    for (const r of requests) {
      expect(r.body.stream).toBe(true);
      expect(r.body.system.at(-1).cache_control).toEqual({ type: 'ephemeral' });
      expect(r.body.tools.at(-1).cache_control).toEqual({ type: 'ephemeral' });
      expect(r.body.tools.map((t: { name: string }) => t.name)).toEqual(['bash', 'str_replace_based_edit_tool']);
      // The newest turn carries the moving breakpoint, so earlier turns are read from the cache.
      expect(r.body.messages.at(-1).content.at(-1).cache_control).toEqual({ type: 'ephemeral' });
    }
    // The view result the model saw is the file the earlier turns produced.
    const viewResult = requests[4]!.body.messages.at(-1).content[0];
    expect(viewResult).toMatchObject({ type: 'tool_result', is_error: false });
    expect(viewResult.content).toContain('hello, world');
    const dir = await extractArtifact(api, b.id);
    expect(fs.readFileSync(path.join(dir, 'greeting.txt'), 'utf8')).toBe('hello, world\n');
    const changed = (await buildEvents(api, b.id)).filter((e) => e.type === 'file_changed').map((e) => e.data.path);
    expect(changed).toEqual(expect.arrayContaining(['src/greet.js', 'greeting.txt', 'feature_list.json']));
  });

  it('rides out two 529 overloads within a session, honouring retry-after', async () => {
    let overloads = 0;
    const b = await build((req) => {
      const { initializer, turn } = sessionOf(req);
      if (!initializer && turn === 1 && overloads < 2) {
        overloads += 1;
        return { status: 529, type: 'overloaded_error', message: 'Overloaded', retryAfterSeconds: 0.05 };
      }
      if (initializer) return turn === 1 ? bash(initializerCommand(1)) : done();
      return turn === 1 ? bash(FLIP_NEXT_FEATURE) : done();
    });
    const result = await finished(b.id);
    expect(result.status).toBe('completed');
    expect(overloads).toBe(2);
    const events = await buildEvents(api, b.id);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(events.filter((e) => e.type === 'session_started')).toHaveLength(2);
  });

  it('pauses the build with "invalid API key" when the model API refuses the key', async () => {
    const b = await build(() => ({ status: 401, type: 'authentication_error', message: 'invalid x-api-key' }));
    const result = await finished(b.id);
    expect(result.status).toBe('paused');
    expect(result.error.code).toBe('InvalidApiKey');
    expect(result.error.message).toContain('invalid API key');
    // A permanent error is not retried: one request, one session.
    expect(b.requests()).toHaveLength(1);
    await api.json('POST', `/api/builds/${b.id}/cancel`);
  });

  it('ends a session cleanly at the context limit, and the next session continues', async () => {
    let codingSessions = 0;
    const b = await build((req) => {
      const { initializer, turn } = sessionOf(req);
      if (initializer) return turn === 1 ? bash(initializerCommand(2)) : done();
      if (turn === 1) codingSessions += 1;
      if (codingSessions === 1) {
        // Work left uncommitted, then the model runs out of context.
        if (turn === 1) return bash(`sed -i '0,/"passes": false/s//"passes": true/' feature_list.json && echo wip > wip.txt`);
        return { content: [{ type: 'text', text: 'I was in the middle of' }], stop_reason: 'model_context_window_exceeded' };
      }
      return turn === 1 ? bash(FLIP_NEXT_FEATURE) : done();
    });
    const result = await finished(b.id);
    expect(result.status).toBe('completed');
    expect(result.features).toEqual({ total: 2, passing: 2 });
    const events = await buildEvents(api, b.id);
    expect(events.filter((e) => e.type === 'context_limit')).toHaveLength(1);
    expect(events.find((e) => e.type === 'session_finished' && e.iteration === 2)?.data.stopReason).toBe('context_limit');
    // The harness committed what the agent left uncommitted.
    const dir = await extractArtifact(api, b.id);
    expect(execFileSync('git', ['log', '--format=%s'], { cwd: dir, encoding: 'utf8' })).toContain('Autosave: session ended (context_limit)');
  });

  it('asks the agent to wrap up near the context window and then ends the session', async () => {
    const b = await build(
      (req) => {
        const { initializer, turn, messages } = sessionOf(req);
        if (initializer) return turn === 1 ? bash(initializerCommand(1)) : done();
        const asked = JSON.stringify(messages.at(-1)).includes('about to end');
        if (asked) return bash('git add -A && git commit -qm "wrap up" || true');
        // Each turn reads 900 tokens of a 1,000-token window: past the 80% mark at once.
        return bash(turn === 1 ? FLIP_NEXT_FEATURE : 'true', { input_tokens: 100, cache_read_input_tokens: 800, output_tokens: 10 });
      },
      { options: { model: 'tiny-context-model' } },
    );
    const result = await finished(b.id);
    expect(result.status).toBe('completed');
    const events = await buildEvents(api, b.id);
    expect(events.find((e) => e.type === 'wrap_up_requested')?.data.reason).toBe('context_limit');
    expect(events.find((e) => e.type === 'session_finished' && e.iteration === 2)?.data.stopReason).toBe('context_limit');
  });

  it('answers a blocked command with an error result, and the session goes on', async () => {
    const b = await build((req) => {
      const { initializer, turn } = sessionOf(req);
      if (initializer) return turn === 1 ? bash(initializerCommand(1)) : done();
      return turn === 1 ? bash('rm -rf / --no-preserve-root') : turn === 2 ? bash(FLIP_NEXT_FEATURE) : done();
    });
    const result = await finished(b.id);
    expect(result.status).toBe('completed');
    const afterBlock = b.requests().find((r) => !sessionOf(r).initializer && sessionOf(r).turn === 2)!;
    const toolResult = afterBlock.body.messages.at(-1).content[0];
    expect(toolResult).toMatchObject({ type: 'tool_result', is_error: true });
    expect(toolResult.content).toContain('not run');
    const events = await buildEvents(api, b.id);
    expect(events.find((e) => e.type === 'command_blocked')?.data.reason).toMatch(/recursive delete/);
  });

  it('accounts cost exactly as a hand calculation', async () => {
    const usage = [
      { input_tokens: 1500, output_tokens: 300, cache_creation_input_tokens: 4000, cache_read_input_tokens: 0 },
      { input_tokens: 200, output_tokens: 50, cache_creation_input_tokens: 600, cache_read_input_tokens: 4000 },
      { input_tokens: 1000, output_tokens: 120, cache_creation_input_tokens: 4100, cache_read_input_tokens: 0 },
      { input_tokens: 80, output_tokens: 30, cache_creation_input_tokens: 300, cache_read_input_tokens: 5100 },
    ];
    let call = 0;
    const b = await build((req) => {
      const { initializer, turn } = sessionOf(req);
      const u = usage[call++];
      if (initializer) return turn === 1 ? bash(initializerCommand(1), u) : done(u);
      return turn === 1 ? bash(FLIP_NEXT_FEATURE, u) : done(u);
    });
    const result = await finished(b.id);
    expect(result.status).toBe('completed');
    // claude-sonnet-5-5: $2 input, $10 output, $2.50 cache write, $0.20 cache read, per million tokens.
    const input = 1500 + 200 + 1000 + 80;
    const output = 300 + 50 + 120 + 30;
    const cacheWrite = 4000 + 600 + 4100 + 300;
    const cacheRead = 4000 + 5100;
    const expected = (input * 2 + output * 10 + cacheWrite * 2.5 + cacheRead * 0.2) / 1_000_000;
    expect(expected).toBeCloseTo(0.00556 + 0.005 + 0.0225 + 0.00182, 12);
    expect(result.usage.costUsd).toBeCloseTo(expected, 9);
    expect(result.usage.outputTokens).toBe(output);
    expect(result.usage.inputTokens).toBe(input + cacheWrite + cacheRead);
  });

  it('passes a 1,000-line spec and a 200-feature list through without truncation', async () => {
    const spec = Array.from({ length: 1000 }, (_, i) => `Line ${i + 1}: the app must do thing number ${i + 1} — ünïcödé ✓`).join('\n') + '\n';
    const b = await build(
      (req) => {
        const { initializer, turn } = sessionOf(req);
        if (initializer) return turn === 1 ? bash(`${initializerCommand(200)} && wc -l app_spec.txt`) : done();
        return turn === 1 ? bash(FLIP_NEXT_FEATURE) : done();
      },
      { spec, options: { maxIterations: 2 } },
    );
    const paused = await finished(b.id);
    expect(paused.error?.code).toBe('max_iterations');
    const features = await api.json('GET', `/api/builds/${b.id}/features`);
    expect(features.body.features).toHaveLength(200);
    expect(features.body.features[199].description).toBe('Feature 200 works');
    expect(features.body.passing).toBe(1);
    const wc = b.requests()[1]!.body.messages.at(-1).content[0].content as string;
    expect(wc).toContain('1000 app_spec.txt');
    await api.json('POST', `/api/builds/${b.id}/cancel`);
    await waitForBuild(api, b.id, 'cancelled', (x) => x.status === 'cancelled');
    const dir = await extractArtifact(api, b.id);
    expect(fs.readFileSync(path.join(dir, 'app_spec.txt'), 'utf8')).toBe(spec);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'feature_list.json'), 'utf8'))).toHaveLength(200);
  });
});

describe('secrets', () => {
  it('keeps the API key out of the sandbox, events, logs and the artifact', async () => {
    const model = await startScriptedAnthropic((req) => {
      const { initializer, turn } = sessionOf(req);
      if (initializer) {
        if (turn === 1) return bash('env | sort; cat ~/.bashrc; cat /proc/1/environ | tr "\\0" "\\n"; env > env-dump.txt; cat /proc/*/environ > proc-environ.txt; ls -la ~');
        return turn === 2 ? bash(initializerCommand(1)) : done();
      }
      return turn === 1 ? bash(FLIP_NEXT_FEATURE) : done();
    });
    const env = testEnv(model.url, { LOG_LEVEL: 'debug' });
    const platform = await spawnPlatform(env);
    try {
      const api = new ApiClient(platform.url!);
      await api.signUp();
      const { body } = await api.json('POST', '/api/builds', { spec: 'Print the environment.' });
      const result = await waitForBuild(api, body.id, 'completed', (b) => b.status === 'completed' || b.status === 'failed');
      expect(result.status).toBe('completed');
      // The command really ran and its output reached the model and the events.
      const events = await buildEvents(api, body.id);
      const envOutput = events.find((e) => e.type === 'tool_result')!.data.output as string;
      expect(envOutput).toContain('HOME=/home/agent');
      expect(JSON.stringify(events)).not.toContain(TEST_API_KEY);
      expect(JSON.stringify(model.requests.map((r) => r.body))).not.toContain(TEST_API_KEY);
      const dir = await extractArtifact(api, body.id);
      expect(fs.readFileSync(path.join(dir, 'env-dump.txt'), 'utf8')).toContain('PATH=');
      const leaks = spawnSync('grep', ['-rl', TEST_API_KEY, '.'], { cwd: dir, encoding: 'utf8' });
      expect(leaks.status).toBe(1); // grep: no file matched
      expect(leaks.stdout).toBe('');
    } finally {
      platform.child.kill('SIGTERM');
      await platform.exited;
      await model.close();
    }
    expect(platform.output().length).toBeGreaterThan(0);
    expect(platform.output()).not.toContain(TEST_API_KEY);
  });
});
