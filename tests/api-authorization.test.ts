import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOperations, operationsOf } from './support/openapi-operations.ts';
import { createTestApp, signUpCookie } from './support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Json = Record<string, any>;

const PASSWORD = 'correct horse battery';

/** The owner's resources that rows refer to as {build}, {spec}, {project}, {token}. */
interface Owned {
  build: string;
  spec: string;
  project: string;
  token: string;
  email: string;
}

interface Row {
  op: string;
  /** The concrete request: `{build}` and the like are the owner's ids. */
  path?: string;
  body?: (o: Owned) => unknown;
  /** Status signed out: 401 for everything but the public routes. */
  anonymous: number;
  /**
   * As another signed-in user: 404 for anything of the owner's, which must be indistinguishable
   * from a missing resource; for the user's own collections, a check that nothing of the
   * owner's shows.
   */
  asOther: number | ((res: Response, body: Json, o: Owned) => void);
}

const notListed = (field: keyof Owned) => (res: Response, body: Json, o: Owned) => {
  expect(res.status).toBe(200);
  expect(body.items.map((i: Json) => i.id)).not.toContain(o[field]);
};

// One row per route. A route added without a row fails the cross-check below.
const matrix: Row[] = [
  { op: 'GET /api/health', anonymous: 200, asOther: 200 },
  { op: 'GET /api/ready', anonymous: 200, asOther: 200 },
  { op: 'GET /api/openapi.json', anonymous: 200, asOther: 200 },
  { op: 'POST /api/auth/signup', body: () => ({ email: `new-${Math.random()}@example.com`, password: PASSWORD }), anonymous: 201, asOther: 201 },
  { op: 'POST /api/auth/login', body: (o) => ({ email: o.email, password: PASSWORD }), anonymous: 200, asOther: 200 },
  {
    op: 'GET /api/auth/me',
    anonymous: 401,
    asOther: (res, body, o) => {
      expect(res.status).toBe(200);
      expect(body.user.email).not.toBe(o.email);
    },
  },
  { op: 'POST /api/tokens', body: () => ({ name: 'mine' }), anonymous: 401, asOther: 201 },
  { op: 'GET /api/tokens', anonymous: 401, asOther: notListed('token') },
  { op: 'DELETE /api/tokens/{id}', path: '/api/tokens/{token}', anonymous: 401, asOther: 404 },
  { op: 'GET /api/specs', anonymous: 401, asOther: notListed('spec') },
  { op: 'POST /api/specs', body: () => ({ name: 'mine', content: 'x' }), anonymous: 401, asOther: 201 },
  { op: 'GET /api/specs/{id}', path: '/api/specs/{spec}', anonymous: 401, asOther: 404 },
  { op: 'PATCH /api/specs/{id}', path: '/api/specs/{spec}', body: () => ({ name: 'taken over' }), anonymous: 401, asOther: 404 },
  { op: 'DELETE /api/specs/{id}', path: '/api/specs/{spec}', anonymous: 401, asOther: 404 },
  { op: 'GET /api/projects', anonymous: 401, asOther: notListed('project') },
  { op: 'POST /api/projects', body: () => ({ name: 'mine' }), anonymous: 401, asOther: 201 },
  { op: 'GET /api/projects/{id}', path: '/api/projects/{project}', anonymous: 401, asOther: 404 },
  { op: 'PATCH /api/projects/{id}', path: '/api/projects/{project}', body: () => ({ name: 'taken over' }), anonymous: 401, asOther: 404 },
  { op: 'DELETE /api/projects/{id}', path: '/api/projects/{project}', anonymous: 401, asOther: 404 },
  // Starting a build from someone else's spec, or into someone else's project, is as if they did not exist.
  { op: 'POST /api/builds', body: (o) => ({ specId: o.spec }), anonymous: 401, asOther: 404 },
  { op: 'GET /api/builds', path: '/api/builds?projectId={project}', anonymous: 401, asOther: 404 },
  {
    op: 'GET /api/builds/stats',
    anonymous: 401,
    asOther: (res, body) => {
      expect(res.status).toBe(200);
      expect(Object.values(body.byStatus)).toEqual([0, 0, 0, 0, 0, 0]);
    },
  },
  { op: 'GET /api/builds/{id}', path: '/api/builds/{build}', anonymous: 401, asOther: 404 },
  { op: 'GET /api/builds/{id}/features', path: '/api/builds/{build}/features', anonymous: 401, asOther: 404 },
  { op: 'GET /api/builds/{id}/iterations', path: '/api/builds/{build}/iterations', anonymous: 401, asOther: 404 },
  { op: 'GET /api/builds/{id}/events', path: '/api/builds/{build}/events', anonymous: 401, asOther: 404 },
  { op: 'POST /api/builds/{id}/pause', path: '/api/builds/{build}/pause', anonymous: 401, asOther: 404 },
  { op: 'POST /api/builds/{id}/resume', path: '/api/builds/{build}/resume', body: () => ({}), anonymous: 401, asOther: 404 },
  { op: 'POST /api/builds/{id}/cancel', path: '/api/builds/{build}/cancel', anonymous: 401, asOther: 404 },
  { op: 'GET /api/builds/{id}/artifact', path: '/api/builds/{build}/artifact', anonymous: 401, asOther: 404 },
  { op: 'GET /api/builds/{id}/files', path: '/api/builds/{build}/files', anonymous: 401, asOther: 404 },
  { op: 'GET /api/builds/{id}/files/content', path: '/api/builds/{build}/files/content?path=app_spec.txt', anonymous: 401, asOther: 404 },
  // Last: as the other user it ends their session, which no later row needs (and never the owner's).
  { op: 'POST /api/auth/logout', anonymous: 204, asOther: 204 },
];

describe('authorization: every route, signed out and as another user', () => {
  let t: TestApp;
  let owner: string;
  let other: string;
  let owned: Owned;

  const call = async (method: string, path: string, cookie?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await t.app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { res, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as Json };
  };

  beforeAll(async () => {
    t = await createTestApp('authz');
    const email = `owner-${Math.random().toString(36).slice(2)}@example.com`;
    owner = await signUpCookie(t.app, email);
    other = await signUpCookie(t.app);
    const spec = (await call('POST', '/api/specs', owner, { name: 'Notes', content: '# Notes' })).body;
    const project = (await call('POST', '/api/projects', owner, { name: 'Apps' })).body;
    const build = await call('POST', '/api/builds', owner, { specId: spec.id, projectId: project.id });
    expect(build.res.status).toBe(201);
    const token = (await call('POST', '/api/tokens', owner, { name: 'ci' })).body;
    owned = { build: build.body.id, spec: spec.id, project: project.id, token: token.id, email };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has one row for every operation in the OpenAPI document, which lists every route the app serves', async () => {
    const doc = (await call('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = operationsOf(doc).sort();
    expect(appOperations(t.app.routes).sort()).toEqual(documented);
    expect(matrix.map((r) => r.op).sort()).toEqual(documented);
  });

  it.each(matrix)('$op: signed out -> $anonymous', async (row) => {
    const path = (row.path ?? row.op.split(' ')[1]!).replace(/\{(\w+)\}/g, (_, k: keyof Owned) => owned[k]);
    const { res, body } = await call(row.op.split(' ')[0]!, path, undefined, row.body?.(owned));
    expect(res.status).toBe(row.anonymous);
    if (row.anonymous === 401) expect(body.error.code).toBe('unauthorized');
  });

  it.each(matrix)('$op: as another user', async (row) => {
    const path = (row.path ?? row.op.split(' ')[1]!).replace(/\{(\w+)\}/g, (_, k: keyof Owned) => owned[k]);
    const { res, body } = await call(row.op.split(' ')[0]!, path, other, row.body?.(owned));
    if (typeof row.asOther === 'number') {
      expect(res.status, JSON.stringify(body)).toBe(row.asOther);
      if (row.asOther === 404) expect(body.error.code).toBe('not_found');
    } else {
      row.asOther(res, body, owned);
    }
  });

  it("leaves the owner's resources and session as they were", async () => {
    expect((await call('GET', '/api/auth/me', owner)).res.status).toBe(200);
    expect((await call('GET', `/api/specs/${owned.spec}`, owner)).body).toMatchObject({ name: 'Notes', content: '# Notes' });
    expect((await call('GET', `/api/projects/${owned.project}`, owner)).body).toMatchObject({ name: 'Apps', buildCount: 1 });
    expect((await call('GET', `/api/builds/${owned.build}`, owner)).body).toMatchObject({ status: 'queued', specId: owned.spec, projectId: owned.project });
    expect((await call('GET', '/api/tokens', owner)).body.items.map((i: Json) => i.id)).toContain(owned.token);
    // The other user's session ended with their logout; the owner's did not.
    expect((await call('GET', '/api/auth/me', other)).res.status).toBe(401);
  });
});
