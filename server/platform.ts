import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { CommandPolicy } from '../activities/agent/command-policy.ts';
import { ModelCatalog } from '../activities/agent/models.ts';
import { E2BSandboxProvider } from '../activities/sandbox/e2b.ts';
import { LocalSandboxProvider } from '../activities/sandbox/local.ts';
import { SandboxUnisolatedError, type SandboxProvider } from '../activities/sandbox/provider.ts';
import { startSandboxReaper } from '../activities/sandbox/reaper.ts';
import { LocalArtifactStorage } from '../activities/storage/local.ts';
import { S3ArtifactStorage } from '../activities/storage/s3.ts';
import { StorageConfigError, type ArtifactStorage } from '../activities/storage/storage.ts';
import { migrateToLatest, openDatabase } from '../db/connect.ts';
import { createApp } from './app.ts';
import { ConfigError, type Config } from './config.ts';
import type { Logger } from './logger.ts';
import { startTemporalDevServer, type DevServer } from './temporal-dev-server.ts';
import { ensureTool, TEMPORAL_CLI } from './tool-binaries.ts';
import { startWorker, type RunningWorker } from './worker.ts';

export const UI_DIST = fileURLToPath(new URL('../ui/dist', import.meta.url));
const PLATFORM_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface Platform {
  /** The dashboard and API, when this process serves them. */
  url: string | null;
  temporalAddress: string;
  temporalUiUrl: string | null;
  /** Settles when the worker stops on its own; a fatal worker error rejects it. */
  workerDone: Promise<void> | null;
  stop(): Promise<void>;
}

/**
 * Starts what this process's ROLE asks for, in dependency order, and stops it in reverse.
 * With no TEMPORAL_ADDRESS / DATABASE_URL / S3_BUCKET, everything runs embedded.
 */
export async function startPlatform(config: Config, log: Logger): Promise<Platform> {
  const stack: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stack.reverse().splice(0)) {
      await fn().catch((err: unknown) => log.error({ err }, 'error while stopping'));
    }
  };
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    let devServer: DevServer | null = null;
    if (config.embeddedTemporal) {
      const binary = await ensureTool(TEMPORAL_CLI, (msg) => log.info(msg));
      devServer = await startTemporalDevServer({
        binary,
        port: config.TEMPORAL_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: path.join(config.dataDir, 'temporal.db'),
        pidFile: path.join(config.dataDir, 'temporal.pid'),
        namespace: config.TEMPORAL_NAMESPACE,
        onLog: (line) => log.debug({ source: 'temporal' }, line),
      });
      stack.push(() => devServer!.stop());
    }

    const database = await openDatabase({ databaseUrl: config.DATABASE_URL, pgliteDir: path.join(config.dataDir, 'pg') });
    stack.push(() => database.close());
    await migrateToLatest(database.db);
    log.info({ database: database.kind }, 'database ready');

    const storage = await createStorage(config);
    if (storage instanceof S3ArtifactStorage) stack.push(async () => storage.close());
    let workerDone: Promise<void> | null = null;
    if (config.ROLE !== 'api') {
      const sandboxes = createSandboxProvider(config, log);
      const worker: RunningWorker = await startWorker({
        address: config.temporalAddress,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowBundlePath: config.WORKFLOW_BUNDLE_PATH,
        activities: {
          db: database.db,
          sandboxes,
          storage,
          anthropic: { apiKey: config.ANTHROPIC_API_KEY, baseURL: config.ANTHROPIC_BASE_URL },
          agent: {
            maxTurns: config.AGENT_MAX_TURNS,
            maxTokens: config.AGENT_MAX_OUTPUT_TOKENS,
            maxSessionMinutes: config.AGENT_MAX_SESSION_MINUTES,
            contextWrapUpRatio: config.AGENT_CONTEXT_WRAP_UP,
            commandTimeoutMs: config.SANDBOX_COMMAND_TIMEOUT_SECONDS * 1000,
            featureTarget: config.AGENT_FEATURE_TARGET,
            appPort: config.AGENT_APP_PORT,
            models: new ModelCatalog(config.AGENT_MODEL_PRICES),
            commandPolicy: CommandPolicy.withExtraPatterns(config.AGENT_COMMAND_DENY),
          },
          secrets: secretValues(config),
          archiveExclude: config.ARTIFACT_EXCLUDE,
          checkpointRetention: config.CHECKPOINT_RETENTION,
        },
      });
      stack.push(() => worker.stop());
      workerDone = worker.done;
      // Sandboxes of finished builds that a crash or a lost cleanup left behind.
      const reaper = startSandboxReaper({ provider: sandboxes, db: database.db, log, intervalMs: config.SANDBOX_REAP_INTERVAL_MINUTES * 60_000 });
      stack.push(() => reaper.stop());
      if (!config.ANTHROPIC_API_KEY) log.warn('ANTHROPIC_API_KEY is not set: builds will pause with "ANTHROPIC_API_KEY is not set" until it is.');
    }

    let url: string | null = null;
    if (config.ROLE !== 'worker') {
      const connection = await Connection.connect({ address: config.temporalAddress });
      stack.push(() => connection.close());
      const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
      const app = createApp({
        db: database.db,
        temporal,
        storage,
        log,
        secureCookies: (config.PUBLIC_URL ?? '').startsWith('https://'),
        uiDir: UI_DIST,
        builds: {
          namespace: config.TEMPORAL_NAMESPACE,
          temporalUiUrl: config.temporalUiUrl,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          heartbeatTimeoutSeconds: config.ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS,
          continueAsNewEvery: config.CONTINUE_AS_NEW_EVERY,
          sessionRetry: { maximumAttempts: config.AGENT_SESSION_MAX_ATTEMPTS, initialIntervalSeconds: config.AGENT_SESSION_RETRY_SECONDS },
          defaults: {
            model: config.AGENT_MODEL,
            maxIterations: config.DEFAULT_MAX_ITERATIONS,
            maxCostUsd: config.DEFAULT_MAX_COST_USD,
            stallLimit: config.DEFAULT_STALL_LIMIT,
            sandbox: config.sandboxProvider,
          },
          maxActiveBuildsPerUser: config.MAX_CONCURRENT_BUILDS_PER_USER,
        },
        security: {
          publicUrl: config.PUBLIC_URL,
          trustProxy: config.TRUST_PROXY,
          requestsPerMinute: config.RATE_LIMIT_PER_MINUTE,
          passwordRequestsPerMinute: config.AUTH_RATE_LIMIT_PER_MINUTE,
          login: { freeAttempts: config.LOGIN_FREE_ATTEMPTS, maxLockoutSeconds: config.LOGIN_MAX_LOCKOUT_SECONDS },
        },
      });
      const server = await listen(app.fetch, config.HOST, config.PORT);
      stack.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const port = (server.address() as AddressInfo).port;
      url = config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' || config.HOST === '127.0.0.1' ? 'localhost' : config.HOST}:${port}`;
    }
    return { url, temporalAddress: config.temporalAddress, temporalUiUrl: devServer?.uiUrl ?? config.TEMPORAL_UI_URL ?? null, workerDone, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function listen(fetch: (req: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`PORT ${port} is already in use. Set PORT to a free port.`) : err),
    );
  });
}

/** Local files under DATA_DIR, or the S3 bucket when S3_BUCKET is set (checked now, so a typo stops the start). */
async function createStorage(config: Config): Promise<ArtifactStorage> {
  if (!config.S3_BUCKET) return new LocalArtifactStorage(path.join(config.dataDir, 'artifacts'));
  const storage = new S3ArtifactStorage({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
  });
  try {
    await storage.verifyBucket();
  } catch (err) {
    storage.close();
    throw err instanceof StorageConfigError ? new ConfigError(err.message) : err;
  }
  return storage;
}

function createSandboxProvider(config: Config, log: Logger): SandboxProvider {
  const common = {
    network: config.SANDBOX_NETWORK === 'on',
    defaultTimeoutMs: config.SANDBOX_COMMAND_TIMEOUT_SECONDS * 1000,
    maxOutputBytes: config.SANDBOX_OUTPUT_LIMIT_KB * 1024,
    warn: (message: string) => log.warn(message),
  };
  if (config.sandboxProvider === 'e2b') {
    return new E2BSandboxProvider({ ...common, apiKey: config.E2B_API_KEY!, template: config.E2B_TEMPLATE, lifetimeMs: config.E2B_LIFETIME_MINUTES * 60_000 });
  }
  try {
    return new LocalSandboxProvider({
      ...common,
      root: path.join(config.dataDir, 'sandboxes'),
      allowUnisolated: config.SANDBOX_ALLOW_UNISOLATED,
      limits: { cpuSeconds: config.SANDBOX_CPU_SECONDS, memoryMb: config.SANDBOX_MEMORY_MB, maxFileMb: config.SANDBOX_MAX_FILE_MB },
      // Never visible inside a sandbox, even if they sit under /opt or /usr: every build's state,
      // and the platform's own folder and working directory (dotenv reads .env from the latter).
      hiddenPaths: [config.dataDir, PLATFORM_DIR, process.cwd()],
    });
  } catch (err) {
    throw err instanceof SandboxUnisolatedError ? new ConfigError(err.message) : err;
  }
}

export function secretValues(config: Config): string[] {
  return [config.ANTHROPIC_API_KEY, config.E2B_API_KEY, config.S3_SECRET_ACCESS_KEY].filter((s): s is string => !!s);
}
