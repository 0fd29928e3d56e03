import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { LocalArtifactStorage } from '../../activities/storage/local.ts';
import type { ArtifactStorage } from '../../activities/storage/storage.ts';
import { migrateToLatest, openDatabase, type DbHandle } from '../../db/connect.ts';
import { createApp, type SecuritySettings } from '../../server/app.ts';
import { createLogger } from '../../server/logger.ts';

/** Limits are generous unless a test asks for its own: tests sign up many users and poll often. */
export interface TestAppOptions {
  maxActiveBuildsPerUser?: number;
  security?: Partial<SecuritySettings>;
  storage?: ArtifactStorage;
}

/** The real Hono app on the run's database and Temporal server, with no worker: for `app.request` tests. */
export async function createTestApp(name: string, opts: TestAppOptions = {}) {
  const dataDir = path.join(inject('tmpRoot'), `app-${name}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const database: DbHandle = await openDatabase({ databaseUrl: inject('databaseUrl') ?? undefined, pgliteDir: path.join(dataDir, 'pg') });
  await migrateToLatest(database.db);
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const app = createApp({
    db: database.db,
    temporal: new Client({ connection }),
    storage: opts.storage ?? new LocalArtifactStorage(path.join(dataDir, 'artifacts')),
    log: createLogger('silent'),
    secureCookies: false,
    builds: {
      namespace: 'default',
      temporalUiUrl: 'http://localhost:8233',
      // No worker polls this queue: builds stay queued, which is all these tests need.
      taskQueue: `idle-${name}-${Date.now()}`,
      heartbeatTimeoutSeconds: 30,
      continueAsNewEvery: 50,
      sessionRetry: { maximumAttempts: 2, initialIntervalSeconds: 1 },
      defaults: { model: 'claude-sonnet-5-5', maxIterations: 5, maxCostUsd: 5, stallLimit: 3, sandbox: 'local' },
      maxActiveBuildsPerUser: opts.maxActiveBuildsPerUser ?? 1000,
    },
    security: {
      trustProxy: false,
      requestsPerMinute: 100_000,
      passwordRequestsPerMinute: 10_000,
      login: { freeAttempts: 1000, maxLockoutSeconds: 1 },
      ...opts.security,
    },
  });
  return {
    app,
    db: database.db,
    async close() {
      await connection.close();
      await database.close();
    },
  };
}

/** Signs a new user up through the app and returns the session cookie. */
export async function signUpCookie(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, email?: string): Promise<string> {
  const res = await app.request('/api/auth/signup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: email ?? `u-${Math.random().toString(36).slice(2)}@example.com`, password: 'correct horse battery' }),
  });
  if (res.status !== 201) throw new Error(`signup failed with ${res.status}: ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
