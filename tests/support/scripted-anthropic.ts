// A stand-in for the Anthropic Messages API: the model is the one thing our tests replace, so this
// speaks the real wire format and the real @anthropic-ai/sdk client is exercised end to end.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface ScriptedRequest {
  body: any; // the parsed JSON request body: model, system, messages, tools, stream, max_tokens ...
  headers: Record<string, string | string[] | undefined>;
}
export type ScriptedContent =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown };
export interface ScriptedReply {
  content: ScriptedContent[];
  /** Default: 'tool_use' if any tool_use block, else 'end_turn'. */
  stop_reason?:
    | 'end_turn'
    | 'tool_use'
    | 'max_tokens'
    | 'stop_sequence'
    | 'model_context_window_exceeded'
    | 'refusal'
    | 'pause_turn';
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    cache_creation_input_tokens?: number;
    cache_read_input_tokens?: number;
  };
  /** Wait before answering; abandoned if the client disconnects meanwhile. */
  delayMs?: number;
}
export interface ScriptedError {
  status: number;
  type: string;
  message: string;
  retryAfterSeconds?: number;
}
export type ScriptHandler = (
  req: ScriptedRequest,
  callIndex: number,
) => ScriptedReply | ScriptedError | Promise<ScriptedReply | ScriptedError>;
export interface ScriptedAnthropic {
  url: string;
  requests: ScriptedRequest[];
  setHandler(handler: ScriptHandler): void;
  close(): Promise<void>;
}

export function isScriptedError(x: unknown): x is ScriptedError {
  if (typeof x !== 'object' || x === null || 'content' in x) return false;
  const e = x as Record<string, unknown>;
  return typeof e.status === 'number' && typeof e.type === 'string' && typeof e.message === 'string';
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

function sendError(res: ServerResponse, requestId: string, err: ScriptedError): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId };
  if (err.retryAfterSeconds !== undefined) {
    // The real API sends whole seconds. The SDK prefers `retry-after-ms` when it is > 0, which lets tests
    // ask for sub-second waits; note the SDK treats 0 (or absent) as "use your own backoff" (~0.5s, 1s, ...).
    headers['retry-after'] = String(Math.ceil(err.retryAfterSeconds));
    headers['retry-after-ms'] = String(Math.round(err.retryAfterSeconds * 1000));
  }
  res.writeHead(err.status, headers);
  res.end(JSON.stringify({ type: 'error', error: { type: err.type, message: err.message }, request_id: requestId }));
}

// Splits into up to `parts` pieces by code point, so streamed deltas never cut a surrogate pair.
function chunk(s: string, parts = 3): string[] {
  const chars = Array.from(s);
  const size = Math.max(1, Math.ceil(chars.length / parts));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function buildMessage(body: any, reply: ScriptedReply) {
  const content = reply.content.map((b) =>
    b.type === 'text'
      ? { type: 'text' as const, text: b.text }
      : { type: 'tool_use' as const, id: b.id ?? newId('toolu'), name: b.name, input: b.input },
  );
  const stop_reason = reply.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  const usage = {
    input_tokens: reply.usage?.input_tokens ?? 25,
    output_tokens: reply.usage?.output_tokens ?? 12,
    cache_creation_input_tokens: reply.usage?.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: reply.usage?.cache_read_input_tokens ?? 0,
  };
  return {
    id: newId('msg'),
    type: 'message' as const,
    role: 'assistant' as const,
    model: body.model as string,
    content,
    stop_reason,
    stop_sequence: null,
    stop_details: null,
    usage,
  };
}

function sendStream(res: ServerResponse, requestId: string, msg: ReturnType<typeof buildMessage>): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId,
  });
  const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  // The real API reports input tokens up front and the final output count only in message_delta.
  send('message_start', {
    type: 'message_start',
    message: { ...msg, content: [], stop_reason: null, stop_sequence: null, usage: { ...msg.usage, output_tokens: 1 } },
  });
  send('ping', { type: 'ping' }); // the real API interleaves these; the SDK must skip them
  msg.content.forEach((block, index) => {
    if (block.type === 'text') {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const text of chunk(block.text)) {
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
      }
    } else {
      // Tool input always starts as {} and arrives only as partial JSON, which the SDK must reassemble.
      const content_block = { type: 'tool_use', id: block.id, name: block.name, input: {} };
      send('content_block_start', { type: 'content_block_start', index, content_block });
      for (const partial_json of ['', ...chunk(JSON.stringify(block.input ?? {}))]) {
        send('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json },
        });
      }
    }
    send('content_block_stop', { type: 'content_block_stop', index });
  });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: msg.stop_reason, stop_sequence: null, stop_details: null },
    usage: msg.usage,
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startScriptedAnthropic(
  handler: ScriptHandler,
  opts: { port?: number } = {},
): Promise<ScriptedAnthropic> {
  let current = handler;
  const requests: ScriptedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newId('req');
    const invalid = (message: string) => sendError(res, requestId, { status: 400, type: 'invalid_request_error', message });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname; // the SDK may add ?beta=true
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return sendError(res, requestId, { status: 404, type: 'not_found_error', message: 'Not Found' });
    }
    // Aborts a pending delay when the client goes away (the SDK aborting, a timeout, or close()).
    const gone = new AbortController();
    res.on('close', () => gone.abort());

    const raw = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return invalid('There was an issue with your request body: invalid JSON');
    }
    const callIndex = requests.push({ body, headers: { ...req.headers } }) - 1;
    // Same checks, statuses and wording as the real API (a missing key is a 401 there, not a 400).
    if (!req.headers['x-api-key'] && !req.headers['authorization']) {
      return sendError(res, requestId, {
        status: 401,
        type: 'authentication_error',
        message: 'x-api-key header is required',
      });
    }
    if (!req.headers['anthropic-version']) return invalid('anthropic-version: header is required');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid('body: Input should be an object');
    for (const field of ['model', 'max_tokens', 'messages']) {
      if (body[field] === undefined) return invalid(`${field}: Field required`);
    }

    let reply: ScriptedReply | ScriptedError;
    try {
      reply = await current(requests[callIndex]!, callIndex);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return sendError(res, requestId, { status: 500, type: 'api_error', message });
    }
    if (isScriptedError(reply)) return sendError(res, requestId, reply);
    if (reply.delayMs) await sleep(reply.delayMs, gone.signal);
    if (gone.signal.aborted) return;

    const msg = buildMessage(body, reply);
    if (body.stream === true) return sendStream(res, requestId, msg);
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
    res.end(JSON.stringify(msg));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Last resort so one bad request never takes the server (and the test run) down.
      if (!res.headersSent) {
        sendError(res, newId('req'), { status: 500, type: 'api_error', message: String(e) });
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler(h) {
      current = h;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets and delayed replies would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
