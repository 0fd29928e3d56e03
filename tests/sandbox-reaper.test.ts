import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalSandboxProvider } from '../activities/sandbox/local.ts';
import type { SandboxListing, SandboxProvider } from '../activities/sandbox/provider.ts';
import { reapOrphanSandboxes, startSandboxReaper, type ReapResult } from '../activities/sandbox/reaper.ts';
import { insertBuild, updateBuildProgress } from '../db/builds.ts';
import { migrateToLatest, openDatabase, type DbHandle } from '../db/connect.ts';
import type { BuildStatus } from '../db/schema.ts';
import { insertUser } from '../db/users.ts';
import { startTestPlatform, testEnv } from './support/test-platform.ts';

const quiet = { info: () => undefined, warn: () => undefined };

describe('orphan sandbox reaper', () => {
  let dir: string;
  let database: DbHandle;
  const ownerId = `reaper-${randomUUID().slice(0, 8)}`;

  /** A build row in this status; its id is also a valid local sandbox name. */
  const build = async (status: BuildStatus) => {
    const id = `b${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await insertBuild(database.db, { id, ownerId, name: id, specContent: 'spec', workflowId: `build-${id}`, options: { model: 'm', maxIterations: 1, maxCostUsd: 1, deadline: null, stallLimit: 1, sandbox: 'local' } });
    if (status !== 'queued') await updateBuildProgress(database.db, id, { status });
    return id;
  };

  beforeAll(async () => {
    dir = path.join(inject('tmpRoot'), `reaper-${randomUUID().slice(0, 8)}`);
    database = await openDatabase({ databaseUrl: inject('databaseUrl') ?? undefined, pgliteDir: path.join(dir, 'pg') });
    await migrateToLatest(database.db);
    await insertUser(database.db, { id: ownerId, email: `${ownerId}@example.com`, name: null, passwordHash: 'x' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("destroys local sandboxes of finished or deleted builds and keeps the live ones'", async () => {
    const provider = new LocalSandboxProvider({ root: path.join(dir, 'sandboxes'), network: false, allowUnisolated: false, defaultTimeoutMs: 30_000 });
    const statuses: BuildStatus[] = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'];
    const builds = Object.fromEntries(await Promise.all(statuses.map(async (s) => [s, await build(s)] as const)));
    const deleted = `b${randomUUID().replace(/-/g, '').slice(0, 12)}`; // no build row at all
    const sandboxOf: Record<string, string> = {};
    for (const buildId of [...Object.values(builds), deleted]) {
      const { id } = await provider.create({ buildId });
      await provider.writeFile(id, 'work.txt', 'work');
      sandboxOf[buildId] = id;
    }

    const result = await reapOrphanSandboxes(provider, database.db, quiet);

    const gone = [builds.completed!, builds.failed!, builds.cancelled!, deleted].map((b) => sandboxOf[b]!);
    expect(result.destroyed.sort()).toEqual(gone.sort());
    for (const id of gone) expect(await provider.status(id)).toBe('gone');
    for (const s of ['queued', 'running', 'paused'] as const) expect(await provider.readFile(sandboxOf[builds[s]!]!, 'work.txt')).toBe('work');
  });

  it('destroys E2B sandboxes of finished builds but leaves those of builds it does not know (another deployment may own them)', async () => {
    const finished = await build('completed');
    const live = await build('running');
    const listed: SandboxListing[] = [
      { id: 'e2b-finished', buildId: finished, status: 'paused' },
      { id: 'e2b-live', buildId: live, status: 'running' },
      { id: 'e2b-foreign', buildId: 'not-in-this-database', status: 'running' },
    ];
    const destroyed: string[] = [];
    const provider = { name: 'e2b', list: async () => listed, destroy: async (id: string) => void destroyed.push(id) } as unknown as SandboxProvider;
    const result = await reapOrphanSandboxes(provider, database.db, quiet);
    expect(destroyed).toEqual(['e2b-finished']);
    expect(result).toEqual({ destroyed: ['e2b-finished'], unknown: ['e2b-foreign'] });
  });

  it('keeps reaping after a failed destroy, and runs at start and then periodically until stopped', async () => {
    const a = await build('failed');
    const b = await build('cancelled');
    const listed: SandboxListing[] = [
      { id: 'x-a', buildId: a, status: 'running' },
      { id: 'x-b', buildId: b, status: 'running' },
    ];
    let attempts = 0;
    const provider = {
      name: 'e2b',
      list: async () => listed,
      destroy: async (id: string) => {
        attempts += 1;
        if (id === 'x-a') throw new Error('provider hiccup');
      },
    } as unknown as SandboxProvider;
    const warnings: string[] = [];
    const passes: ReapResult[] = [];
    let twoPasses!: () => void;
    const done = new Promise<void>((resolve) => (twoPasses = resolve));
    const reaper = startSandboxReaper({
      provider,
      db: database.db,
      log: { info: () => undefined, warn: (_d, m) => warnings.push(m) },
      intervalMs: 20,
      onPass: (r) => {
        passes.push(r);
        if (passes.length === 2) twoPasses();
      },
    });
    await done;
    await reaper.stop();
    const after = attempts;
    expect(passes[0]!.destroyed).toEqual(['x-b']);
    expect(warnings[0]).toMatch(/could not destroy/);
    // Stopped means stopped: no pass starts afterwards.
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts).toBe(after);
  });

  it('runs when a worker starts: an orphaned workspace left in DATA_DIR is gone', async () => {
    const env = testEnv('http://127.0.0.1:9');
    const orphan = path.join(env.DATA_DIR!, 'sandboxes', 'local-deleted-build', 'workspace');
    fs.mkdirSync(orphan, { recursive: true });
    fs.writeFileSync(path.join(orphan, 'left-behind.txt'), 'x');
    const platform = await startTestPlatform(env);
    try {
      for (let i = 0; fs.existsSync(orphan) && i < 200; i++) await new Promise((r) => setTimeout(r, 50));
      expect(fs.existsSync(orphan)).toBe(false);
    } finally {
      await platform.stop();
    }
  });
});
