import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signUpCookie } from './support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const ID = '00000000-0000-4000-8000-000000000000';
const json = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  auth?: boolean;
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
    const headers: Record<string, string> = {};
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    if (c.auth !== false) headers.cookie = cookie;
    const res = await t.app.request(c.path, { method: c.method, headers, body: c.body === undefined ? undefined : json(c.body) });
    expect(res.status).toBe(c.status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(typeof body.error.code).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(0);
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
