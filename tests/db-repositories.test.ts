import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteApiToken, findTokenUser, insertApiToken, listApiTokens } from '../db/api-tokens.ts';
import { appendBuildEvents, listBuildEvents, sessionDurationMs } from '../db/build-events.ts';
import { listBuildIterations } from '../db/build-iterations.ts';
import { buildStats } from '../db/build-stats.ts';
import { claimActiveBuildSlot, findOwnedBuild, insertBuild, listOwnedBuilds, recordSession, updateBuildProgress } from '../db/builds.ts';
import type { DbHandle } from '../db/connect.ts';
import { deleteProject, findOwnedProject, insertProject, listProjects, updateProject } from '../db/projects.ts';
import type { BuildOptions } from '../db/schema.ts';
import { deleteSession, findSessionUser, insertSession } from '../db/sessions.ts';
import { deleteSpec, findOwnedSpec, insertSpec, listSpecs, measureSpec, updateSpec } from '../db/specs.ts';
import { findUserByEmail, insertUser } from '../db/users.ts';
import { testDialects } from './support/dialects.ts';

const OPTIONS: BuildOptions = { model: 'm', maxIterations: 5, maxCostUsd: 5, deadline: null, stallLimit: 3, sandbox: 'local' };

describe.each(testDialects())('repositories on $name', ({ open }) => {
  let handle: DbHandle;
  const db = () => handle.db;

  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle?.close();
  });

  const newUser = async () => (await insertUser(db(), { id: randomUUID(), email: `${randomUUID()}@example.com`, name: null, passwordHash: 'x' }))!;
  const newBuild = async (ownerId: string, extra: { specId?: string; projectId?: string } = {}) => {
    const id = randomUUID();
    await insertBuild(db(), { id, ownerId, name: `b-${id.slice(0, 4)}`, specContent: 'spec', options: OPTIONS, workflowId: `build-${id}`, ...extra });
    return id;
  };

  it('keeps emails unique and finds users, sessions and tokens by their hashes only', async () => {
    const user = await newUser();
    expect(await insertUser(db(), { id: randomUUID(), email: user.email, name: null, passwordHash: 'y' })).toBeUndefined();
    expect((await findUserByEmail(db(), user.email))?.id).toBe(user.id);

    await insertSession(db(), { tokenHash: `s-${user.id}`, userId: user.id, expiresAt: new Date(Date.now() + 60_000) });
    await insertSession(db(), { tokenHash: `old-${user.id}`, userId: user.id, expiresAt: new Date(Date.now() - 1000) });
    expect((await findSessionUser(db(), `s-${user.id}`, new Date()))?.id).toBe(user.id);
    expect(await findSessionUser(db(), `old-${user.id}`, new Date())).toBeUndefined();
    await deleteSession(db(), `s-${user.id}`);
    expect(await findSessionUser(db(), `s-${user.id}`, new Date())).toBeUndefined();

    const other = await newUser();
    const token = await insertApiToken(db(), { id: randomUUID(), userId: user.id, name: 'ci', tokenHash: `t-${user.id}` });
    expect((await findTokenUser(db(), `t-${user.id}`))?.id).toBe(user.id);
    expect((await listApiTokens(db(), user.id))[0]?.lastUsedAt).not.toBeNull();
    expect(await deleteApiToken(db(), other.id, token.id)).toBe(false);
    expect(await deleteApiToken(db(), user.id, token.id)).toBe(true);
    expect(await findTokenUser(db(), `t-${user.id}`)).toBeUndefined();
  });

  it('stores specs with their size and line count, pages them newest first, and scopes them to their owner', async () => {
    expect(measureSpec('')).toEqual({ size_bytes: 0, line_count: 0 });
    expect(measureSpec('one')).toEqual({ size_bytes: 3, line_count: 1 });
    expect(measureSpec('one\ntwo\n')).toEqual({ size_bytes: 8, line_count: 2 });
    expect(measureSpec('é\n€')).toEqual({ size_bytes: 6, line_count: 2 });

    const owner = await newUser();
    const other = await newUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await insertSpec(db(), { id: randomUUID(), ownerId: owner.id, name: `spec ${i}`, content: `# ${i}\nline\n` })).id);
    // Specs saved in the same millisecond are ordered by id, so the order is the list's own.
    const all = await listSpecs(db(), owner.id, { limit: 10 });
    expect([...all.map((s) => s.id)].sort()).toEqual([...ids].sort());
    expect(all.map((s) => Date.parse(s.createdAt))).toEqual(all.map((s) => Date.parse(s.createdAt)).sort((a, b) => b - a));
    expect(all[0]).not.toHaveProperty('content');
    const first = await listSpecs(db(), owner.id, { limit: 3 });
    const last = first[2]!;
    const second = await listSpecs(db(), owner.id, { limit: 3, after: { createdAt: new Date(last.createdAt), id: last.id } });
    expect([...first, ...second]).toEqual(all);
    expect(await listSpecs(db(), other.id, { limit: 10 })).toEqual([]);

    expect(await findOwnedSpec(db(), other.id, ids[0]!)).toBeUndefined();
    expect(await updateSpec(db(), other.id, ids[0]!, { name: 'stolen' })).toBeUndefined();
    const updated = await updateSpec(db(), owner.id, ids[0]!, { content: 'a\nb\nc' });
    expect(updated).toMatchObject({ name: 'spec 0', content: 'a\nb\nc', sizeBytes: 5, lineCount: 3 });
    expect(Date.parse(updated!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(updated!.createdAt));
    expect(await deleteSpec(db(), other.id, ids[0]!)).toBe(false);
    expect(await deleteSpec(db(), owner.id, ids[0]!)).toBe(true);
    expect(await findOwnedSpec(db(), owner.id, ids[0]!)).toBeUndefined();
  });

  it("counts a project's builds, lists builds by project, and detaches them when the project or spec is deleted", async () => {
    const owner = await newUser();
    const project = await insertProject(db(), { id: randomUUID(), ownerId: owner.id, name: 'P', description: null });
    const spec = await insertSpec(db(), { id: randomUUID(), ownerId: owner.id, name: 'S', content: 'x' });
    const inProject = [await newBuild(owner.id, { projectId: project.id, specId: spec.id }), await newBuild(owner.id, { projectId: project.id })];
    await newBuild(owner.id);
    expect((await findOwnedProject(db(), owner.id, project.id))?.buildCount).toBe(2);
    expect((await listProjects(db(), owner.id, { limit: 10 }))[0]).toMatchObject({ id: project.id, buildCount: 2 });
    const listed = await listOwnedBuilds(db(), owner.id, { projectId: project.id, limit: 10 });
    expect(listed.map((b) => b.id).sort()).toEqual([...inProject].sort());
    expect((await updateProject(db(), owner.id, project.id, { description: 'about' }))?.description).toBe('about');

    expect(await deleteSpec(db(), owner.id, spec.id)).toBe(true);
    expect((await findOwnedBuild(db(), owner.id, inProject[0]!))?.spec_id).toBeNull();
    expect(await deleteProject(db(), owner.id, project.id)).toBe(true);
    const kept = await findOwnedBuild(db(), owner.id, inProject[0]!);
    expect(kept).toMatchObject({ project_id: null, spec_content: 'spec' });
  });

  it('lets an owner claim an active-build slot only below the limit, even when claims race', async () => {
    const owner = await newUser();
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => claimActiveBuildSlot(db(), owner.id, 2, async (trx) => void (await insertBuild(trx, { id: randomUUID(), ownerId: owner.id, name: 'x', specContent: 'x', options: OPTIONS, workflowId: `build-${randomUUID()}` })))),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(2);
    expect(claims.find((c) => !c.claimed)).toEqual({ claimed: false, active: 2 });
    const [latest] = await listOwnedBuilds(db(), owner.id, { limit: 1 });
    await updateBuildProgress(db(), latest!.id, { status: 'failed', finished: true });
    expect(await claimActiveBuildSlot(db(), owner.id, 2, async () => {})).toEqual({ claimed: true });
  });

  it('records sessions once, lists them in order, and sums the week per owner', async () => {
    const owner = await newUser();
    const build = await newBuild(owner.id);
    const done = await newBuild(owner.id);
    await updateBuildProgress(db(), done, { status: 'completed', finished: true });
    await appendBuildEvents(db(), build, [
      { key: 'a', type: 'session_started', iteration: 1, data: {} },
      { key: 'b', type: 'tool_call', iteration: 1, data: {} },
      { key: 'c', type: 'session_finished', iteration: 1, data: {} },
    ]);
    const duration = await sessionDurationMs(db(), build, 1);
    expect(duration).not.toBeNull();
    expect(duration!).toBeGreaterThanOrEqual(0);
    expect(await sessionDurationMs(db(), build, 2)).toBeNull();
    expect((await listBuildEvents(db(), build, { after: 1, limit: 10 })).map((e) => e.type)).toEqual(['tool_call', 'session_finished']);

    const session = (iteration: number, costUsd: number) => ({
      iteration,
      kind: iteration === 1 ? 'initializer' : 'coding',
      inputTokens: 10,
      outputTokens: 5,
      cacheCreationInputTokens: 1,
      cacheReadInputTokens: 2,
      costUsd,
      turns: 3,
      stopReason: 'end_turn',
      featuresPassing: iteration,
      featuresTotal: 4,
      featuresPassingBefore: iteration - 1,
      durationMs: iteration === 1 ? duration : null,
    });
    await recordSession(db(), build, session(2, 0.25));
    await recordSession(db(), build, session(1, 0.5));
    await recordSession(db(), build, session(1, 0.5)); // a retried activity
    const items = await listBuildIterations(db(), build, { after: 0, limit: 10 });
    expect(items.map((i) => [i.iteration, i.featuresPassingBefore, i.featuresPassing, i.costUsd])).toEqual([
      [1, 0, 1, 0.5],
      [2, 1, 2, 0.25],
    ]);
    expect(items[0]!.durationMs).toBe(duration);
    expect(await listBuildIterations(db(), build, { after: 1, limit: 10 })).toHaveLength(1);
    expect((await findOwnedBuild(db(), owner.id, build))?.cost_usd).toBeCloseTo(0.75);

    const stats = await buildStats(db(), owner.id, new Date(Date.now() - 3600_000));
    expect(stats).toEqual({ byStatus: { queued: 1, running: 0, paused: 0, completed: 1, failed: 0, cancelled: 0 }, thisWeek: { started: 2, completed: 1, costUsd: 0.75 } });
    const later = await buildStats(db(), owner.id, new Date(Date.now() + 3600_000));
    expect(later.thisWeek).toEqual({ started: 0, completed: 0, costUsd: 0 });
    expect((await buildStats(db(), (await newUser()).id, new Date(0))).byStatus.queued).toBe(0);
  });
});
