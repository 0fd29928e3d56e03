import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOwnedBuild, recordSession, updateBuildProgress } from '../db/builds.ts';
import { saveFeatureSnapshot } from '../db/feature-snapshots.ts';
import * as shapes from '../server/api-schemas.ts';
import { createTestApp, signUpCookie } from './support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Json = Record<string, any>;

describe('specs, projects and builds through the API', () => {
  let t: TestApp;
  let cookie: string;
  let userId: string;

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await t.app.request(path, {
      method,
      headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
  };

  beforeAll(async () => {
    t = await createTestApp('resources');
    cookie = await signUpCookie(t.app);
    userId = (await call('GET', '/api/auth/me')).body.user.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('saves, lists without content, edits and deletes specs', async () => {
    const content = '# Todo app\n\nAdd, tick and delete todos — in any language: 日本語.\n';
    const created = await call('POST', '/api/specs', { name: '  Todo app  ', content });
    expect(created.status).toBe(201);
    const spec = shapes.spec.parse(created.body);
    expect(spec).toMatchObject({ name: 'Todo app', content, sizeBytes: Buffer.byteLength(content), lineCount: 3 });

    for (let i = 0; i < 3; i++) await call('POST', '/api/specs', { name: `more ${i}`, content: 'x' });
    const all = shapes.specPage.parse((await call('GET', '/api/specs?limit=100')).body).items;
    expect(all.map((s) => s.name).sort()).toEqual(['Todo app', 'more 0', 'more 1', 'more 2']);
    expect(all[0]).not.toHaveProperty('content');
    const first = shapes.specPage.parse((await call('GET', '/api/specs?limit=2')).body);
    const second = shapes.specPage.parse((await call('GET', `/api/specs?limit=2&cursor=${first.nextCursor}`)).body);
    expect([...first.items, ...second.items]).toEqual(all);
    expect(second.nextCursor).toBeNull();

    const patched = shapes.spec.parse((await call('PATCH', `/api/specs/${spec.id}`, { content: 'one line' })).body);
    expect(patched).toMatchObject({ name: 'Todo app', content: 'one line', lineCount: 1, sizeBytes: 8 });
    expect((await call('PATCH', `/api/specs/${spec.id}`, { content: 'y'.repeat(1024 * 1024 + 1) })).status).toBe(413);
    expect((await call('DELETE', `/api/specs/${spec.id}`)).status).toBe(204);
    expect((await call('GET', `/api/specs/${spec.id}`)).status).toBe(404);
  });

  it('copies a saved spec into the build, so editing or deleting the spec later changes nothing', async () => {
    const spec = (await call('POST', '/api/specs', { name: 'Chat', content: '# Chat\n\nRooms and messages.' })).body;
    const created = await call('POST', '/api/builds', { specId: spec.id });
    expect(created.status).toBe(201);
    const build = shapes.build.parse(created.body);
    expect(build).toMatchObject({ name: 'Chat', specId: spec.id, projectId: null, status: 'queued' });

    await call('PATCH', `/api/specs/${spec.id}`, { content: '# Something else' });
    expect((await findOwnedBuild(t.db, userId, build.id))?.spec_content).toBe('# Chat\n\nRooms and messages.');
    await call('DELETE', `/api/specs/${spec.id}`);
    const after = shapes.build.parse((await call('GET', `/api/builds/${build.id}`)).body);
    expect(after.specId).toBeNull();
    expect((await findOwnedBuild(t.db, userId, build.id))?.spec_content).toBe('# Chat\n\nRooms and messages.');

    // A pasted spec still works, and is named from its first line unless named.
    const pasted = shapes.build.parse((await call('POST', '/api/builds', { spec: '# Blog engine\nposts' })).body);
    expect(pasted).toMatchObject({ name: 'Blog engine', specId: null });
  });

  it('groups builds in projects, filters the build list by project, and detaches builds when a project is deleted', async () => {
    const created = await call('POST', '/api/projects', { name: 'Side projects', description: 'weekend apps' });
    expect(created.status).toBe(201);
    const project = shapes.project.parse(created.body);
    expect(project).toMatchObject({ name: 'Side projects', description: 'weekend apps', buildCount: 0 });

    const inside = [];
    for (const name of ['one', 'two', 'three']) inside.push(shapes.build.parse((await call('POST', '/api/builds', { spec: 'x', name, projectId: project.id })).body));
    await call('POST', '/api/builds', { spec: 'outside' });
    expect(inside.every((b) => b.projectId === project.id)).toBe(true);

    const page1 = shapes.buildPage.parse((await call('GET', `/api/builds?projectId=${project.id}&limit=2`)).body);
    const page2 = shapes.buildPage.parse((await call('GET', `/api/builds?projectId=${project.id}&limit=2&cursor=${page1.nextCursor}`)).body);
    const listed = [...page1.items, ...page2.items];
    expect(listed.map((b) => b.name).sort()).toEqual(['one', 'three', 'two']);
    expect(listed.map((b) => Date.parse(b.createdAt))).toEqual(listed.map((b) => Date.parse(b.createdAt)).sort((a, b) => b - a));
    expect(shapes.projectPage.parse((await call('GET', '/api/projects')).body).items.find((p) => p.id === project.id)?.buildCount).toBe(3);

    const renamed = shapes.project.parse((await call('PATCH', `/api/projects/${project.id}`, { name: 'Hobby', description: null })).body);
    expect(renamed).toMatchObject({ name: 'Hobby', description: null, buildCount: 3 });

    expect((await call('DELETE', `/api/projects/${project.id}`)).status).toBe(204);
    expect((await call('GET', `/api/projects/${project.id}`)).status).toBe(404);
    const kept = shapes.build.parse((await call('GET', `/api/builds/${inside[0]!.id}`)).body);
    expect(kept.projectId).toBeNull();
  });

  it("answers the build and its features with an ETag, and 304 while they have not changed", async () => {
    const build = (await call('POST', '/api/builds', { spec: '# Polled' })).body;
    const first = await call('GET', `/api/builds/${build.id}`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const unchanged = await t.app.request(`/api/builds/${build.id}`, { headers: { cookie, 'if-none-match': etag! } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');

    await updateBuildProgress(t.db, build.id, { status: 'running', phase: 'coding', iteration: 1, started: true });
    const changed = await call('GET', `/api/builds/${build.id}`, undefined, { 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.body.status).toBe('running');
    expect(changed.headers.get('etag')).not.toBe(etag);

    await saveFeatureSnapshot(t.db, build.id, 1, [{ category: 'ui', description: 'shows a list', steps: ['open'], passes: false }]);
    const features = await call('GET', `/api/builds/${build.id}/features`);
    shapes.featureSnapshot.parse(features.body);
    const same = await t.app.request(`/api/builds/${build.id}/features`, { headers: { cookie, 'if-none-match': features.headers.get('etag')! } });
    expect(same.status).toBe(304);
  });

  it('lists a build\'s sessions in order and counts builds by status and for the week', async () => {
    const user = await signUpCookie(t.app);
    const as = (method: string, path: string, body?: unknown) => call(method, path, body, { cookie: user });
    const running = (await as('POST', '/api/builds', { spec: 'x' })).body;
    const done = (await as('POST', '/api/builds', { spec: 'y' })).body;
    await updateBuildProgress(t.db, done.id, { status: 'completed', finished: true });
    const session = (iteration: number) => ({
      iteration,
      kind: iteration === 1 ? 'initializer' : 'coding',
      inputTokens: 1000,
      outputTokens: 200,
      cacheCreationInputTokens: 50,
      cacheReadInputTokens: 500,
      costUsd: 0.125,
      turns: 7,
      stopReason: 'end_turn',
      featuresPassing: iteration - 1,
      featuresTotal: 5,
      featuresPassingBefore: Math.max(0, iteration - 2),
      durationMs: 1234,
    });
    for (const i of [1, 2, 3]) await recordSession(t.db, running.id, session(i));

    const all = shapes.buildIterationPage.parse((await as('GET', `/api/builds/${running.id}/iterations`)).body);
    expect(all.items.map((i) => [i.iteration, i.kind, i.featuresPassingBefore, i.featuresPassing])).toEqual([
      [1, 'initializer', 0, 0],
      [2, 'coding', 0, 1],
      [3, 'coding', 1, 2],
    ]);
    expect(all.nextAfter).toBeNull();
    const paged = shapes.buildIterationPage.parse((await as('GET', `/api/builds/${running.id}/iterations?after=1&limit=1`)).body);
    expect(paged).toMatchObject({ items: [{ iteration: 2 }], nextAfter: 2 });

    const stats = shapes.buildStats.parse((await as('GET', '/api/builds/stats')).body);
    expect(stats).toEqual({ byStatus: { queued: 1, running: 0, paused: 0, completed: 1, failed: 0, cancelled: 0 }, thisWeek: { started: 2, completed: 1, costUsd: 0.375 } });
  });
});
