import { afterAll, describe, expect, it } from 'vitest';
import { updateBuildProgress } from '../db/builds.ts';
import { createTestApp, signUpCookie, type TestAppOptions } from './support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Json = Record<string, any>;

const apps: TestApp[] = [];
async function appWith(name: string, opts: TestAppOptions) {
  const t = await createTestApp(name, opts);
  apps.push(t);
  return t;
}
afterAll(async () => {
  for (const t of apps) await t.close();
});

async function send(t: TestApp, method: string, path: string, opts: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await t.app.request(path, {
    method,
    headers: { ...(opts.cookie && { cookie: opts.cookie }), ...(opts.body !== undefined && { 'content-type': 'application/json' }), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text && text.startsWith('{') ? JSON.parse(text) : {}) as Json };
}

describe('concurrent builds per user', () => {
  it('refuses a build past MAX_CONCURRENT_BUILDS_PER_USER with 429 saying so, and counts restarts of failed builds too', async () => {
    const t = await appWith('limit-builds', { maxActiveBuildsPerUser: 2 });
    const cookie = await signUpCookie(t.app);
    const first = await send(t, 'POST', '/api/builds', { cookie, body: { spec: 'one' } });
    const second = await send(t, 'POST', '/api/builds', { cookie, body: { spec: 'two' } });
    expect([first.status, second.status]).toEqual([201, 201]);

    const third = await send(t, 'POST', '/api/builds', { cookie, body: { spec: 'three' } });
    expect(third.status).toBe(429);
    expect(third.body.error).toEqual({ code: 'too_many_active_builds', message: expect.stringMatching(/already have 2 builds queued, running or paused.*at most 2/) });
    // Another user has slots of their own.
    expect((await send(t, 'POST', '/api/builds', { cookie: await signUpCookie(t.app), body: { spec: 'x' } })).status).toBe(201);

    // A failed build frees its slot; restarting it takes one again.
    await updateBuildProgress(t.db, first.body.id, { status: 'failed', error: { code: 'x', message: 'x' }, finished: true });
    const replacement = await send(t, 'POST', '/api/builds', { cookie, body: { spec: 'three' } });
    expect(replacement.status).toBe(201);
    const resumed = await send(t, 'POST', `/api/builds/${first.body.id}/resume`, { cookie, body: {} });
    expect(resumed.status).toBe(429);
    expect(resumed.body.error.code).toBe('too_many_active_builds');
    expect((await send(t, 'GET', `/api/builds/${first.body.id}`, { cookie })).body.status).toBe('failed');
  });

  it('lets only the allowed number through when requests race', async () => {
    const t = await appWith('limit-race', { maxActiveBuildsPerUser: 3 });
    const cookie = await signUpCookie(t.app);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send(t, 'POST', '/api/builds', { cookie, body: { spec: `race ${i}` } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    expect((await send(t, 'GET', '/api/builds/stats', { cookie })).body.byStatus.queued).toBe(3);
  });
});

describe('request rate limits', () => {
  it('answers 429 with Retry-After past the per-account limit, counting each account separately', async () => {
    const t = await appWith('rate-limit', { security: { requestsPerMinute: 5 } });
    const [a, b] = [await signUpCookie(t.app), await signUpCookie(t.app)];
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(t, 'GET', '/api/builds', { cookie: a })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await send(t, 'GET', '/api/specs', { cookie: a });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body.error).toEqual({ code: 'rate_limited', message: expect.stringContaining('at most 5 a minute per account') });
    expect((await send(t, 'GET', '/api/builds', { cookie: b })).status).toBe(200);
    // Health probes are never limited.
    expect((await send(t, 'GET', '/api/health', { cookie: a })).status).toBe(200);
  });

  it('limits sign-ups and sign-ins per address more tightly', async () => {
    const t = await appWith('auth-rate-limit', { security: { passwordRequestsPerMinute: 2 } });
    const signup = () => send(t, 'POST', '/api/auth/signup', { body: { email: `r-${Math.random()}@example.com`, password: 'long enough pw' } });
    expect([(await signup()).status, (await signup()).status]).toEqual([201, 201]);
    const third = await signup();
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('login throttling', () => {
  it('locks an email out with growing delays after repeated failures, and a success resets it', async () => {
    const t = await appWith('login-throttle', { security: { login: { freeAttempts: 2, maxLockoutSeconds: 600 } } });
    const email = `victim-${Math.random().toString(36).slice(2)}@example.com`;
    await signUpCookie(t.app, email);
    const login = (password: string, mail = email) => send(t, 'POST', '/api/auth/login', { body: { email: mail, password } });

    expect((await login('wrong one')).status).toBe(401);
    expect((await login('wrong two')).status).toBe(401);
    // Two failures are free: the right password still works, and clears them.
    expect((await login('correct horse battery')).status).toBe(200);
    expect((await login('wrong one')).status).toBe(401);
    expect((await login('wrong two')).status).toBe(401);
    expect((await login('wrong three')).status).toBe(401);
    // Past the free attempts, even the right password waits.
    const locked = await login('correct horse battery');
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Other emails from the same address are not locked by this one's failures (yet).
    expect((await login('whatever', `someone-${Math.random()}@example.com`)).status).toBe(401);
  });

  it('locks an address out after failures across many emails', async () => {
    const t = await appWith('login-throttle-address', { security: { login: { freeAttempts: 1, maxLockoutSeconds: 600 } } });
    const statuses = [];
    // One address may fail 4 x freeAttempts times, whatever the emails.
    for (let i = 0; i < 6; i++) statuses.push((await send(t, 'POST', '/api/auth/login', { body: { email: `guess-${i}@example.com`, password: 'guess' } })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('cross-site request forgery', () => {
  it('refuses cookie-authenticated writes from another origin, and lets same-origin, header-less and token requests through', async () => {
    const t = await appWith('csrf', { security: { publicUrl: 'https://agents.example.com' } });
    const cookie = await signUpCookie(t.app);
    const token = (await send(t, 'POST', '/api/tokens', { cookie, body: { name: 'ci' } })).body.token as string;
    const create = (headers: Record<string, string>, auth: { cookie?: string } = { cookie }) => send(t, 'POST', '/api/specs', { ...auth, headers, body: { name: 'n', content: 'c' } });

    const forged = await create({ origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('cross_origin_request');
    expect((await create({ referer: 'https://evil.example/page' })).status).toBe(403);
    expect((await create({ origin: 'null' })).status).toBe(403);
    expect((await send(t, 'POST', '/api/auth/logout', { cookie, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await send(t, 'POST', '/api/auth/login', { headers: { origin: 'https://evil.example' }, body: { email: 'a@example.com', password: 'x' } })).status).toBe(403);
    // Reads are not writes.
    expect((await send(t, 'GET', '/api/specs', { cookie, headers: { origin: 'https://evil.example' } })).status).toBe(200);

    expect((await create({ origin: 'http://localhost' })).status).toBe(201); // the Host app.request sends
    expect((await create({ origin: 'https://agents.example.com' })).status).toBe(201); // PUBLIC_URL
    expect((await create({ referer: 'https://agents.example.com/specs/new' })).status).toBe(201);
    expect((await create({})).status).toBe(201); // curl and scripts send neither
    expect((await create({ origin: 'https://evil.example', authorization: `Bearer ${token}` }, {})).status).toBe(201);
  });
});

describe('security headers', () => {
  it('sends a content security policy and the usual hardening headers', async () => {
    const t = await appWith('headers', {});
    const res = await t.app.request('/api/health');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });
});
