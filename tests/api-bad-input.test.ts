import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationFor, operationsOf } from './support/openapi-operations.ts';
import { createTestApp, signUpCookie } from './support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const ID = '00000000-0000-4000-8000-000000000000';
const json = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));

type OpenApiDoc = { paths: Record<string, Record<string, unknown>> };

function isErrorShape(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof body.error?.code === 'string' && typeof body.error.message === 'string' && body.error.message.length > 0;
  } catch {
    return false;
  }
}

function expectErrorShape(text: string): void {
  expect(isErrorShape(text), text.slice(0, 200)).toBe(true);
}

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  auth?: boolean;
  headers?: Record<string, string>;
}

const cases: Case[] = [
  { name: 'signup: malformed JSON', method: 'POST', path: '/api/auth/signup', body: '{"email": ', status: 400, auth: false },
  { name: 'signup: missing password', method: 'POST', path: '/api/auth/signup', body: { email: 'a@example.com' }, status: 400, auth: false },
  { name: 'signup: wrong types', method: 'POST', path: '/api/auth/signup', body: { email: 42, password: ['x'] }, status: 400, auth: false },
  { name: 'signup: unknown field', method: 'POST', path: '/api/auth/signup', body: { email: 'b@example.com', password: 'long enough pw', admin: true }, status: 400, auth: false },
  { name: 'signup: not an email', method: 'POST', path: '/api/auth/signup', body: { email: 'not-an-email', password: 'long enough pw' }, status: 400, auth: false },
  { name: 'signup: short password', method: 'POST', path: '/api/auth/signup', body: { email: 'c@example.com', password: 'short' }, status: 400, auth: false },
  { name: 'signup: NUL in name', method: 'POST', path: '/api/auth/signup', body: { email: 'd@example.com', password: 'long enough pw', name: 'a\u0000b' }, status: 400, auth: false },
  { name: 'signup: body is an array', method: 'POST', path: '/api/auth/signup', body: [1, 2], status: 400, auth: false },
  { name: 'login: malformed JSON', method: 'POST', path: '/api/auth/login', body: 'nope', status: 400, auth: false },
  { name: 'login: unknown user', method: 'POST', path: '/api/auth/login', body: { email: 'nobody@example.com', password: 'whatever pw' }, status: 401, auth: false },
  { name: 'me: anonymous', method: 'GET', path: '/api/auth/me', status: 401, auth: false },
  { name: 'tokens: anonymous', method: 'GET', path: '/api/tokens', status: 401, auth: false },
  { name: 'tokens: missing name', method: 'POST', path: '/api/tokens', body: {}, status: 400 },
  { name: 'tokens: name too long', method: 'POST', path: '/api/tokens', body: { name: 'x'.repeat(201) }, status: 400 },
  { name: 'tokens: delete non-id', method: 'DELETE', path: '/api/tokens/not-an-id', status: 400 },
  { name: 'tokens: delete unknown', method: 'DELETE', path: `/api/tokens/${ID}`, status: 404 },
  { name: 'builds: anonymous create', method: 'POST', path: '/api/builds', body: { spec: 'x' }, status: 401, auth: false },
  { name: 'builds: malformed JSON', method: 'POST', path: '/api/builds', body: '{"spec": "x"', status: 400 },
  { name: 'builds: missing spec', method: 'POST', path: '/api/builds', body: { name: 'x' }, status: 400 },
  { name: 'builds: empty spec', method: 'POST', path: '/api/builds', body: { spec: '' }, status: 400 },
  { name: 'builds: spec wrong type', method: 'POST', path: '/api/builds', body: { spec: { a: 1 } }, status: 400 },
  { name: 'builds: unknown field', method: 'POST', path: '/api/builds', body: { spec: 'x', priority: 1 }, status: 400 },
  { name: 'builds: unknown option', method: 'POST', path: '/api/builds', body: { spec: 'x', options: { turbo: true } }, status: 400 },
  { name: 'builds: negative maxIterations', method: 'POST', path: '/api/builds', body: { spec: 'x', options: { maxIterations: -1 } }, status: 400 },
  { name: 'builds: fractional maxIterations', method: 'POST', path: '/api/builds', body: { spec: 'x', options: { maxIterations: 1.5 } }, status: 400 },
  { name: 'builds: name too long', method: 'POST', path: '/api/builds', body: { spec: 'x', name: 'n'.repeat(201) }, status: 400 },
  { name: 'builds: NUL in spec', method: 'POST', path: '/api/builds', body: { spec: 'a\u0000b' }, status: 400 },
  { name: 'builds: spec over 1 MB', method: 'POST', path: '/api/builds', body: { spec: 'x'.repeat(1024 * 1024 + 1) }, status: 413 },
  { name: 'builds: body over the limit', method: 'POST', path: '/api/builds', body: { spec: 'y'.repeat(9 * 1024 * 1024) }, status: 413 },
  { name: 'builds: list bad status', method: 'GET', path: '/api/builds?status=done', status: 400 },
  { name: 'builds: list bad limit', method: 'GET', path: '/api/builds?limit=abc', status: 400 },
  { name: 'builds: list limit too big', method: 'GET', path: '/api/builds?limit=100000', status: 400 },
  { name: 'builds: list forged cursor', method: 'GET', path: '/api/builds?cursor=bm90LWEtY3Vyc29y', status: 400 },
  { name: 'builds: list unknown param', method: 'GET', path: '/api/builds?sort=asc', status: 400 },
  { name: 'builds: get non-id', method: 'GET', path: '/api/builds/123', status: 400 },
  { name: 'builds: get odd unicode id', method: 'GET', path: `/api/builds/${encodeURIComponent('ｂｕｉｌｄ\u202e')}`, status: 400 },
  { name: 'builds: get unknown', method: 'GET', path: `/api/builds/${ID}`, status: 404 },
  { name: 'builds: features unknown', method: 'GET', path: `/api/builds/${ID}/features`, status: 404 },
  { name: 'builds: events bad after', method: 'GET', path: `/api/builds/${ID}/events?after=-3`, status: 400 },
  { name: 'builds: artifact bad format', method: 'GET', path: `/api/builds/${ID}/artifact?format=rar`, status: 400 },
  { name: 'builds: artifact unknown', method: 'GET', path: `/api/builds/${ID}/artifact`, status: 404 },
  { name: 'builds: zip artifact unknown', method: 'GET', path: `/api/builds/${ID}/artifact?format=zip`, status: 404 },
  { name: 'builds: files unknown', method: 'GET', path: `/api/builds/${ID}/files`, status: 404 },
  { name: 'builds: files path climbs out', method: 'GET', path: `/api/builds/${ID}/files?path=../..`, status: 400 },
  { name: 'builds: files absolute path', method: 'GET', path: `/api/builds/${ID}/files/content?path=/etc/passwd`, status: 400 },
  { name: 'builds: files content without path', method: 'GET', path: `/api/builds/${ID}/files/content`, status: 400 },
  { name: 'builds: files NUL in path', method: 'GET', path: `/api/builds/${ID}/files/content?path=a%00b`, status: 400 },
  { name: 'builds: files unknown param', method: 'GET', path: `/api/builds/${ID}/files?depth=3`, status: 400 },
  { name: 'unknown api route', method: 'GET', path: '/api/nope', status: 404 },

  // Odd unicode: a NUL, a lone surrogate (valid JSON escape, not text), bidi overrides in names.
  { name: 'signup: lone surrogate in password', method: 'POST', path: '/api/auth/signup', body: '{"email":"e@example.com","password":"long enough \\ud800"}', status: 400, auth: false },
  { name: 'signup: RTL override in name', method: 'POST', path: '/api/auth/signup', body: { email: 'f@example.com', password: 'long enough pw', name: 'evil\u202egnp.exe' }, status: 400, auth: false },
  { name: 'tokens: newline in name', method: 'POST', path: '/api/tokens', body: { name: 'ci\nprod' }, status: 400 },
  { name: 'tokens: lone surrogate in name', method: 'POST', path: '/api/tokens', body: '{"name":"\\udc00"}', status: 400 },
  { name: 'bearer: malformed header', method: 'GET', path: '/api/auth/me', headers: { authorization: 'Token abc' }, status: 401, auth: false },
  { name: 'bearer: unknown token with non-ASCII bytes', method: 'GET', path: '/api/auth/me', headers: { authorization: 'Bearer \u00e9\u00ff\u0080' }, status: 401, auth: false },

  { name: 'specs: missing content', method: 'POST', path: '/api/specs', body: { name: 'n' }, status: 400 },
  { name: 'specs: missing name', method: 'POST', path: '/api/specs', body: { content: 'c' }, status: 400 },
  { name: 'specs: empty content', method: 'POST', path: '/api/specs', body: { name: 'n', content: '' }, status: 400 },
  { name: 'specs: content wrong type', method: 'POST', path: '/api/specs', body: { name: 'n', content: 42 }, status: 400 },
  { name: 'specs: unknown field', method: 'POST', path: '/api/specs', body: { name: 'n', content: 'c', public: true }, status: 400 },
  { name: 'specs: name too long', method: 'POST', path: '/api/specs', body: { name: 'n'.repeat(201), content: 'c' }, status: 400 },
  { name: 'specs: blank name', method: 'POST', path: '/api/specs', body: { name: '   ', content: 'c' }, status: 400 },
  { name: 'specs: RTL override in name', method: 'POST', path: '/api/specs', body: { name: 'spec\u202etxt.exe', content: 'c' }, status: 400 },
  { name: 'specs: NUL in content', method: 'POST', path: '/api/specs', body: { name: 'n', content: 'a\u0000b' }, status: 400 },
  { name: 'specs: lone surrogate in content', method: 'POST', path: '/api/specs', body: '{"name":"n","content":"a\\ud83d b"}', status: 400 },
  { name: 'specs: content over 1 MB', method: 'POST', path: '/api/specs', body: { name: 'n', content: 'x'.repeat(1024 * 1024 + 1) }, status: 413 },
  { name: 'specs: content over 1 MB in bytes, not characters', method: 'POST', path: '/api/specs', body: { name: 'n', content: '\u20ac'.repeat(400_000) }, status: 413 },
  { name: 'specs: malformed JSON', method: 'POST', path: '/api/specs', body: '{"name": "n", ', status: 400 },
  { name: 'specs: list bad limit', method: 'GET', path: '/api/specs?limit=0', status: 400 },
  { name: 'specs: list forged cursor', method: 'GET', path: `/api/specs?cursor=${Buffer.from(JSON.stringify(['2024-01-01T00:00:00.000Z', 'a\u0000b'])).toString('base64url')}`, status: 400 },
  { name: 'specs: list cursor far in the past', method: 'GET', path: `/api/specs?cursor=${Buffer.from(JSON.stringify(['-271821-04-20T00:00:00.000Z', ID])).toString('base64url')}`, status: 400 },
  { name: 'specs: get non-id', method: 'GET', path: '/api/specs/42', status: 400 },
  { name: 'specs: get unknown', method: 'GET', path: `/api/specs/${ID}`, status: 404 },
  { name: 'specs: patch nothing', method: 'PATCH', path: `/api/specs/${ID}`, body: {}, status: 400 },
  { name: 'specs: patch wrong type', method: 'PATCH', path: `/api/specs/${ID}`, body: { name: null }, status: 400 },
  { name: 'specs: patch unknown', method: 'PATCH', path: `/api/specs/${ID}`, body: { name: 'x' }, status: 404 },
  { name: 'specs: patch non-id', method: 'PATCH', path: '/api/specs/%00', body: { name: 'x' }, status: 400 },
  { name: 'specs: delete non-id', method: 'DELETE', path: `/api/specs/${encodeURIComponent('\u202e')}`, status: 400 },
  { name: 'specs: delete unknown', method: 'DELETE', path: `/api/specs/${ID}`, status: 404 },

  { name: 'projects: missing name', method: 'POST', path: '/api/projects', body: { description: 'd' }, status: 400 },
  { name: 'projects: description too long', method: 'POST', path: '/api/projects', body: { name: 'n', description: 'd'.repeat(2001) }, status: 400 },
  { name: 'projects: description wrong type', method: 'POST', path: '/api/projects', body: { name: 'n', description: ['d'] }, status: 400 },
  { name: 'projects: unknown field', method: 'POST', path: '/api/projects', body: { name: 'n', color: 'red' }, status: 400 },
  { name: 'projects: NUL in name', method: 'POST', path: '/api/projects', body: { name: 'n\u0000' }, status: 400 },
  { name: 'projects: list unknown param', method: 'GET', path: '/api/projects?sort=name', status: 400 },
  { name: 'projects: get non-id', method: 'GET', path: '/api/projects/abc', status: 400 },
  { name: 'projects: patch nothing', method: 'PATCH', path: `/api/projects/${ID}`, body: {}, status: 400 },
  { name: 'projects: patch unknown', method: 'PATCH', path: `/api/projects/${ID}`, body: { description: null }, status: 404 },
  { name: 'projects: delete unknown', method: 'DELETE', path: `/api/projects/${ID}`, status: 404 },

  { name: 'builds: both spec and specId', method: 'POST', path: '/api/builds', body: { spec: 'x', specId: ID }, status: 400 },
  { name: 'builds: specId not an id', method: 'POST', path: '/api/builds', body: { specId: 'my-spec' }, status: 400 },
  { name: 'builds: unknown specId', method: 'POST', path: '/api/builds', body: { specId: ID }, status: 404 },
  { name: 'builds: unknown projectId', method: 'POST', path: '/api/builds', body: { spec: 'x', projectId: ID }, status: 404 },
  { name: 'builds: RTL override in name', method: 'POST', path: '/api/builds', body: { spec: 'x', name: 'a\u202eb' }, status: 400 },
  { name: 'builds: lone surrogate in spec', method: 'POST', path: '/api/builds', body: '{"spec":"\\udfff"}', status: 400 },
  { name: 'builds: list projectId not an id', method: 'GET', path: '/api/builds?projectId=1', status: 400 },
  { name: 'builds: list unknown project', method: 'GET', path: `/api/builds?projectId=${ID}`, status: 404 },
  { name: 'builds: list invalid UTF-8 in cursor', method: 'GET', path: '/api/builds?cursor=%ED%A0%80', status: 400 },
  { name: 'builds: iterations unknown', method: 'GET', path: `/api/builds/${ID}/iterations`, status: 404 },
  { name: 'builds: iterations bad limit', method: 'GET', path: `/api/builds/${ID}/iterations?limit=5000`, status: 400 },
  { name: 'builds: iterations unknown param', method: 'GET', path: `/api/builds/${ID}/iterations?kind=coding`, status: 400 },
  { name: 'builds: resume wrong types', method: 'POST', path: `/api/builds/${ID}/resume`, body: { limits: { maxIterations: '80' } }, status: 400 },
  { name: 'builds: resume unknown limit', method: 'POST', path: `/api/builds/${ID}/resume`, body: { limits: { forever: true } }, status: 400 },
  { name: 'builds: resume unknown', method: 'POST', path: `/api/builds/${ID}/resume`, body: {}, status: 404 },
  { name: 'builds: pause non-id', method: 'POST', path: '/api/builds/..%2F..%2Fetc/pause', status: 400 },
  { name: 'builds: cancel unknown', method: 'POST', path: `/api/builds/${ID}/cancel`, status: 404 },
  { name: 'builds: stats unknown param', method: 'GET', path: '/api/builds/stats?week=last', status: 400 },
  { name: 'tokens: list unknown param', method: 'GET', path: '/api/tokens?all=1', status: 400 },

  // Routes that take no input ignore what they are sent.
  { name: 'health: junk query', method: 'GET', path: '/api/health?x=%00', status: 200, auth: false },
  { name: 'ready: junk query', method: 'GET', path: '/api/ready?x=%ED%A0%80', status: 200, auth: false },
  { name: 'openapi: junk query', method: 'GET', path: '/api/openapi.json?x=%E2%80%AE', status: 200, auth: false },
  { name: 'logout: malformed JSON body', method: 'POST', path: '/api/auth/logout', body: '{"x":', status: 204, auth: false },
];

describe('bad input answers 4xx with the error shape, never 500', () => {
  let t: TestApp;
  let cookie: string;

  beforeAll(async () => {
    t = await createTestApp('bad-input');
    cookie = await signUpCookie(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(cases)('$name -> $status', async (c) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    if (c.auth !== false) headers.cookie = cookie;
    const res = await t.app.request(c.path, { method: c.method, headers, body: c.body === undefined ? undefined : json(c.body) });
    expect(res.status).toBe(c.status);
    if (c.status >= 400) expectErrorShape(await res.text());
  });

  it('has at least one row for every operation of the OpenAPI document', async () => {
    const operations = operationsOf((await (await t.app.request('/api/openapi.json')).json()) as OpenApiDoc);
    const covered = new Set(cases.map((c) => operationFor(operations, c.method, c.path)));
    expect(operations.filter((op) => !covered.has(op))).toEqual([]);
  });

  it('answers every operation 4xx with the error shape for odd ids, broken bodies and junk queries', async () => {
    const doc = (await (await t.app.request('/api/openapi.json')).json()) as OpenApiDoc;
    const failures: string[] = [];
    const expectStatus = async (what: string, init: RequestInit & { path: string }, ok: (status: number) => boolean) => {
      const res = await t.app.request(init.path, init);
      const text = await res.text();
      const shaped = res.status < 400 || isErrorShape(text);
      if (!ok(res.status) || !shaped) failures.push(`${what}: ${res.status} ${text.slice(0, 120)}`);
    };
    for (const op of operationsOf(doc)) {
      const [method, template] = op.split(' ') as [string, string];
      // Logout ends whatever session it is sent with; it is public, so it goes without one.
      const headers: Record<string, string> = op === 'POST /api/auth/logout' ? {} : { cookie };
      const operation = doc.paths[template]![method.toLowerCase()] as { requestBody?: unknown };
      if (template.includes('{id}')) {
        for (const id of ['not-an-id', '%00', encodeURIComponent('\u202e'), '%ED%A0%80', '..%2F..', 'x'.repeat(5000)]) {
          await expectStatus(`${op} with id ${id.slice(0, 20)}`, { path: template.replace('{id}', id), method, headers }, (s) => s === 400);
        }
      }
      const path = template.replace('{id}', ID);
      if (operation.requestBody) {
        const send = (body: string) => ({ path, method, headers: { ...headers, 'content-type': 'application/json' }, body });
        await expectStatus(`${op} malformed JSON`, send('{"a": '), (s) => s === 400);
        await expectStatus(`${op} JSON array`, send('[{"name": "x"}]'), (s) => s === 400);
        await expectStatus(`${op} lone surrogates everywhere`, send('{"name":"\\ud800","content":"\\ud800","spec":"\\ud800","email":"\\ud800","password":"\\ud800"}'), (s) => s === 400);
        await expectStatus(`${op} oversize body`, send(JSON.stringify({ name: 'x'.repeat(9 * 1024 * 1024) })), (s) => s === 413);
      }
      const junk = '?cursor=%ED%A0%80&limit=-1&path=%00&after=x&format=%E2%80%AE&status=%00';
      await expectStatus(`${op} junk query`, { path: `${path}${junk}`, method, headers }, (s) => s < 500);
    }
    expect(failures).toEqual([]);
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    await signUpCookie(t.app, 'Same@Example.com');
    const res = await t.app.request('/api/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'same@example.com', password: 'another long pw' }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('email_taken');
  });

  it("hides another user's build behind a 404", async () => {
    const created = await t.app.request('/api/builds', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ spec: 'mine' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const other = await signUpCookie(t.app);
    for (const path of [`/api/builds/${id}`, `/api/builds/${id}/features`, `/api/builds/${id}/events`, `/api/builds/${id}/artifact`]) {
      expect((await t.app.request(path, { headers: { cookie: other } })).status).toBe(404);
    }
    const list = (await (await t.app.request('/api/builds', { headers: { cookie: other } })).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it('accepts an API token as a bearer credential, and stops accepting it once deleted', async () => {
    const created = await t.app.request('/api/tokens', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci' }) });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    const listed = (await (await t.app.request('/api/tokens', { headers: { cookie } })).json()) as { items: Array<Record<string, unknown>> };
    expect(listed.items.some((i) => i.id === id && !('token' in i))).toBe(true);
    expect((await t.app.request('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await t.app.request(`/api/tokens/${id}`, { method: 'DELETE', headers: { cookie } })).status).toBe(204);
    expect((await t.app.request('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});
