import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import { build as viteBuild } from 'vite';
import type { TestProject } from 'vitest/node';
import { startTemporalDevServer } from '../../server/temporal-dev-server.ts';
import { ensureTool, MINIO, TEMPORAL_CLI } from '../../server/tool-binaries.ts';
import { WORKFLOWS_PATH } from '../../server/worker.ts';
import { startMinio, type MinioAccess } from './minio-server.ts';
import { freePort } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalBinary: string;
    /** A database created for this run on the Postgres server, or null to use PGlite. */
    databaseUrl: string | null;
    workflowBundlePath: string;
    tmpRoot: string;
    /** The run's MinIO, for tests of the S3 storage (each test creates its own bucket). */
    minio: MinioAccess;
  }
}

/**
 * Once per `npm test`: one Temporal dev server, one MinIO, one database, one workflow bundle, the
 * dashboard built. Tests keep apart with their own task queues, ids and data dirs.
 */
export default async function setup(project: TestProject) {
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aap-test-'));
  const temporalBinary = await ensureTool(TEMPORAL_CLI, (msg) => console.log(msg));
  const minioBinary = await ensureTool(MINIO, (msg) => console.log(msg));
  const [server, minio, database, bundle] = await Promise.all([
    startTemporalDevServer({ binary: temporalBinary, port: await freePort(), uiPort: null }),
    startMinio({ binary: minioBinary, port: await freePort(), dataDir: path.join(tmpRoot, 'minio') }),
    createTestDatabase(),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
  ]);
  // Vitest runs with NODE_ENV=test, which would give the browser tests React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await viteBuild({ logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const workflowBundlePath = path.join(tmpRoot, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', server.address);
  project.provide('temporalBinary', temporalBinary);
  project.provide('databaseUrl', database?.url ?? null);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('tmpRoot', tmpRoot);
  project.provide('minio', { endpoint: minio.endpoint, region: minio.region, accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey });
  console.log(`tests: Temporal at ${server.address}, MinIO at ${minio.endpoint}, database ${database ? database.name + ' on Postgres' : 'PGlite'}`);

  return async () => {
    await server.stop();
    await minio.stop();
    await database?.drop();
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  };
}

/** A fresh database on the server at DATABASE_URL, when one answers; null means PGlite. */
async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> } | null> {
  const base = process.env.DATABASE_URL;
  if (!base) return null;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    console.warn(`tests: DATABASE_URL does not answer (${(err as Error).message}); using PGlite`);
    return null;
  }
  const name = `aap_test_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string) {
    console.warn(message);
  },
  error(message: string) {
    console.error(message);
  },
};
