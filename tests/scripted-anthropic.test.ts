import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Anthropic, { APIError, AuthenticationError, InternalServerError } from '@anthropic-ai/sdk';
import { startScriptedAnthropic, isScriptedError, type ScriptedAnthropic } from './support/scripted-anthropic.js';

const base = { model: 'claude-test-model', max_tokens: 1024 } as const;
const ask = [{ role: 'user' as const, content: 'list the repo' }];
const nestedInput = { command: 'ls -la', opts: { cwd: '/work', env: { A: '1' }, flags: ['-a', 'ü∑', '😀'] } };

describe('scripted Anthropic server with the real SDK', () => {
  let server: ScriptedAnthropic;
  let client: Anthropic;
  beforeAll(async () => {
    server = await startScriptedAnthropic(() => ({ content: [{ type: 'text', text: 'unset' }] }));
    client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('round-trips a non-streaming tool_use reply', async () => {
    server.setHandler(() => ({
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'toolu_fixed', name: 'bash', input: nestedInput },
      ],
      usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 7 },
    }));
    const msg = await client.messages.create({ ...base, messages: ask });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.type).toBe('message');
    expect(msg.role).toBe('assistant');
    expect(msg.model).toBe(base.model);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.stop_sequence).toBeNull();
    expect(msg.content).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'toolu_fixed', name: 'bash', input: nestedInput },
    ]);
    expect(msg.usage).toMatchObject({ input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 7 });
    expect(msg._request_id).toMatch(/^req_/);
  });

  it('streams the same final message, with text events and reassembled nested tool input', async () => {
    const reply = {
      content: [
        { type: 'text' as const, text: 'Running a command with ünïcode 😀 now.' },
        { type: 'tool_use' as const, name: 'bash', input: nestedInput },
        { type: 'tool_use' as const, name: 'noop', input: {} },
      ],
      usage: { input_tokens: 50, output_tokens: 30 },
    };
    server.setHandler(() => reply);
    const plain = await client.messages.create({ ...base, messages: ask });

    const stream = client.messages.stream({ ...base, messages: ask });
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const final = await stream.finalMessage();

    expect(texts.length).toBeGreaterThan(1); // really split into several deltas
    expect(texts.join('')).toBe(reply.content[0]!.text);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage).toMatchObject({ input_tokens: 50, output_tokens: 30 });
    const strip = (m: Anthropic.Message) => m.content.map((b) => (b.type === 'tool_use' ? { ...b, id: 'x' } : b));
    expect(strip(final)).toEqual(strip(plain));
    const ids = final.content.filter((b) => b.type === 'tool_use').map((b) => b.id);
    expect(ids.every((id) => id.startsWith('toolu_'))).toBe(true);
    expect(new Set(ids).size).toBe(2);
    expect(server.requests.at(-1)!.body.stream).toBe(true);
  });

  it('emits the raw event sequence for create({ stream: true })', async () => {
    server.setHandler(() => ({ content: [{ type: 'tool_use', name: 'bash', input: { a: [1, { b: 'c' }] } }] }));
    const events = await client.messages.create({ ...base, messages: ask, stream: true });
    const types: string[] = [];
    let json = '';
    for await (const e of events) {
      types.push(e.type === 'content_block_delta' ? `${e.type}:${e.delta.type}` : e.type);
      if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta') json += e.delta.partial_json;
      if (e.type === 'message_delta') expect(e.delta.stop_reason).toBe('tool_use');
    }
    expect(types[0]).toBe('message_start');
    expect(types).not.toContain('ping'); // the SDK swallows pings
    expect(types.filter((t) => t === 'content_block_delta:input_json_delta').length).toBeGreaterThan(2);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(JSON.parse(json)).toEqual({ a: [1, { b: 'c' }] });
  });

  it('surfaces a 529 as APIError, and retries through two 529s when allowed', async () => {
    const overloaded = { status: 529, type: 'overloaded_error', message: 'Overloaded', retryAfterSeconds: 0.01 };
    server.setHandler(() => overloaded);
    const err = await client.messages.create({ ...base, messages: ask }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(529);
    expect((err as APIError).type).toBe('overloaded_error');
    expect((err as APIError).requestID).toMatch(/^req_/);

    const before = server.requests.length;
    server.setHandler((_req, i) => (i - before < 2 ? overloaded : { content: [{ type: 'text', text: 'finally' }] }));
    const retrying = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 2 });
    const started = Date.now();
    const msg = await retrying.messages.create({ ...base, messages: ask });
    expect(msg.content).toEqual([{ type: 'text', text: 'finally' }]);
    expect(server.requests.length - before).toBe(3);
    expect(Date.now() - started).toBeLessThan(400); // retry-after-ms honoured, not the SDK's 0.5s+ backoff
  });

  it('surfaces a 401 as AuthenticationError', async () => {
    server.setHandler(() => ({ status: 401, type: 'authentication_error', message: 'invalid x-api-key' }));
    const err = await client.messages.create({ ...base, messages: ask }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).apiMessage).toBe('invalid x-api-key');
  });

  it('answers 500 api_error when the handler throws, and keeps serving', async () => {
    server.setHandler(() => {
      throw new Error('script bug');
    });
    const err = await client.messages.create({ ...base, messages: ask }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as APIError).apiMessage).toBe('script bug');
    server.setHandler(() => ({ content: [{ type: 'text', text: 'alive' }] }));
    expect((await client.messages.create({ ...base, messages: ask })).content).toEqual([{ type: 'text', text: 'alive' }]);
  });

  it('abandons a delayed reply when the client aborts', async () => {
    server.setHandler(() => ({ content: [{ type: 'text', text: 'late' }], delayMs: 5_000 }));
    const ac = new AbortController();
    const pending = client.messages.create({ ...base, messages: ask }, { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 50);
    expect((await pending) as Error).toBeInstanceOf(Anthropic.APIUserAbortError);
  });

  it('records request bodies and headers in order', async () => {
    server.setHandler(() => ({ content: [{ type: 'text', text: 'ok' }] }));
    const before = server.requests.length;
    const tools = [{ name: 'bash', description: 'run', input_schema: { type: 'object' as const, properties: {} } }];
    await client.messages.create({ ...base, system: 'be brief', tools, messages: ask });
    await client.messages.create({ ...base, messages: [...ask, { role: 'assistant', content: 'ok' }, ...ask] });
    const [a, b] = server.requests.slice(before);
    expect(a!.body).toMatchObject({ model: base.model, max_tokens: 1024, system: 'be brief', tools, messages: ask });
    // SDK 1.x sends apiKey as a bearer token, not x-api-key.
    expect(a!.headers['authorization']).toBe('Bearer test-key');
    expect(a!.headers['anthropic-version']).toBeTruthy();
    expect(b!.body.messages).toHaveLength(3);
  });

  it('rejects requests the real API would reject', async () => {
    const post = (path: string, headers: Record<string, string>, body: object) =>
      fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const auth = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
    const missing = await post('/v1/messages', auth, { model: 'm', messages: [] });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect((await post('/v1/messages', { 'anthropic-version': '2023-06-01' }, { ...base, messages: ask })).status).toBe(401);
    const notFound = await post('/v1/complete', auth, {});
    expect(notFound.status).toBe(404);
    expect((await notFound.json()).error.type).toBe('not_found_error');
    expect(isScriptedError({ status: 529, type: 'overloaded_error', message: 'x' })).toBe(true);
    expect(isScriptedError({ content: [] })).toBe(false);
  });
});
