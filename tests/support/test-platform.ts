import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { startPlatform, type Platform } from '../../server/platform.ts';

export const TEST_API_KEY = 'sk-ant-test-0123456789abcdef';

/**
 * Environment for a platform under test: the run's Temporal server and database, a task
 * queue and data dir of its own, and the scripted model at `modelUrl`.
 */
export function testEnv(modelUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = path.join(inject('tmpRoot'), `platform-${randomUUID().slice(0, 8)}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const databaseUrl = inject('databaseUrl');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    PORT: '0',
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    ...(databaseUrl && { DATABASE_URL: databaseUrl }),
    ANTHROPIC_API_KEY: TEST_API_KEY,
    ANTHROPIC_BASE_URL: modelUrl,
    ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS: '3',
    AGENT_SESSION_MAX_ATTEMPTS: '2',
    AGENT_SESSION_RETRY_SECONDS: '1',
    LOG_LEVEL: 'warn',
    // Tests start many builds per user, leave some paused, and poll every 250 ms.
    MAX_CONCURRENT_BUILDS_PER_USER: '1000',
    RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    LOGIN_FREE_ATTEMPTS: '1000',
    ...extra,
  };
}

export async function startTestPlatform(env: Record<string, string>): Promise<Platform & { url: string }> {
  const config = loadConfig(env);
  const platform = await startPlatform(config, createLogger(config.LOG_LEVEL));
  if (!platform.url) throw new Error('platform has no API');
  return platform as Platform & { url: string };
}
