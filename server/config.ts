import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting the platform reads, with its default. `.env.example` mirrors this
 * list; a bad value stops the process at start with a message naming the variable.
 */
const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const flag = z
  .enum(['0', '1', 'true', 'false', 'on', 'off', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'on' || v === 'yes');

/** An env var holding JSON, parsed and then checked against `schema`. */
function jsonOf<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema.optional());
}

/** A comma-separated list of plain file or folder names; unset or empty means `fallback`. */
function nameList(fallback: string[]) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      const names = (text ?? '').split(',').map((n) => n.trim()).filter(Boolean);
      if (names.length === 0) return fallback;
      // Plain names only: every sandbox provider matches them at any depth the same way, which
      // paths and wildcards would not (GNU tar globs them, node-tar's filter does not).
      const bad = names.find((n) => /[/*?[\]\\]/.test(n) || n === '.' || n === '..');
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `"${bad}" is not a plain file or folder name (names match at any depth; paths and wildcards are not supported)` });
        return z.NEVER;
      }
      return names;
    });
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

const envSchema = z.object({
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  PORT: port.default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: optionalString,
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('builds'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_UI_URL: optionalString,
  TEMPORAL_CLI_PATH: optionalString,
  WORKFLOW_BUNDLE_PATH: optionalString,
  ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  AGENT_SESSION_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  AGENT_SESSION_RETRY_SECONDS: z.coerce.number().positive().default(5),
  CONTINUE_AS_NEW_EVERY: z.coerce.number().int().min(1).default(50),
  CHECKPOINT_RETENTION: z.coerce.number().int().min(1).default(3),
  ARTIFACT_EXCLUDE: nameList(['node_modules', '.cache', '.venv', '__pycache__']),

  DATABASE_URL: optionalString,

  S3_BUCKET: optionalString,
  S3_ENDPOINT: optionalString,
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,

  SANDBOX_PROVIDER: z.enum(['local', 'e2b']).optional(),
  SANDBOX_NETWORK: z.enum(['on', 'off']).default('on'),
  SANDBOX_ALLOW_UNISOLATED: flag,
  SANDBOX_COMMAND_TIMEOUT_SECONDS: z.coerce.number().positive().default(600),
  // Per-process limits on agent commands in local sandboxes; 0 lifts one (E2B: the template's VM size).
  SANDBOX_CPU_SECONDS: z.coerce.number().int().min(0).default(1800),
  SANDBOX_MEMORY_MB: z.coerce.number().int().min(0).default(4096),
  SANDBOX_MAX_FILE_MB: z.coerce.number().int().min(0).default(2048),
  SANDBOX_OUTPUT_LIMIT_KB: z.coerce.number().int().min(1).default(1024),
  SANDBOX_REAP_INTERVAL_MINUTES: z.coerce.number().positive().default(10),
  E2B_API_KEY: optionalString,
  E2B_TEMPLATE: optionalString,
  // E2B caps a sandbox's lifetime at 1 hour (Hobby) or 24 hours (Pro); every use pushes its end back this far.
  E2B_LIFETIME_MINUTES: z.coerce.number().positive().max(1440).default(30),

  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString,
  AGENT_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
  AGENT_MAX_TURNS: z.coerce.number().int().positive().default(200),
  AGENT_MAX_SESSION_MINUTES: z.coerce.number().positive().default(60),
  AGENT_MAX_OUTPUT_TOKENS: z.coerce.number().int().positive().default(16_000),
  AGENT_CONTEXT_WRAP_UP: z.coerce.number().gt(0).max(1).default(0.8),
  AGENT_FEATURE_TARGET: z.coerce.number().int().positive().default(100),
  AGENT_APP_PORT: port.default(4100),
  AGENT_MODEL_PRICES: jsonOf(
    z.record(
      z.string(),
      z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative(), cacheWrite: z.number().nonnegative(), cacheRead: z.number().nonnegative(), contextWindow: z.number().int().positive() }).partial(),
    ),
  ).default({}),
  AGENT_COMMAND_DENY: jsonOf(z.array(z.string().refine(isRegExp, 'must be a valid regular expression'))).default([]),
  DEFAULT_MAX_ITERATIONS: z.coerce.number().int().positive().default(50),
  DEFAULT_MAX_COST_USD: z.coerce.number().positive().default(50),
  DEFAULT_STALL_LIMIT: z.coerce.number().int().positive().default(5),

  // Limits that keep one account or client from crowding out the rest; 0 turns a rate limit off.
  MAX_CONCURRENT_BUILDS_PER_USER: z.coerce.number().int().positive().default(3),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  LOGIN_FREE_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_LOCKOUT_SECONDS: z.coerce.number().int().min(1).default(900),
  TRUST_PROXY: flag,
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  /** DATA_DIR made absolute, so child processes and sandboxes agree on it. */
  dataDir: string;
  sandboxProvider: 'local' | 'e2b';
  /** Where links to the Temporal Web UI point. */
  temporalUiUrl: string;
  /** True when this process starts its own `temporal server start-dev`. */
  embeddedTemporal: boolean;
  temporalAddress: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every setting and its default.`);
  }
  const e = parsed.data;
  if (e.S3_BUCKET && (!e.S3_ACCESS_KEY_ID) !== (!e.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Invalid configuration:\n  S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together.');
  }
  if (e.PUBLIC_URL && !/^https?:\/\/[^/\s]+/.test(e.PUBLIC_URL)) {
    throw new ConfigError(`Invalid configuration:\n  PUBLIC_URL: must be an http:// or https:// URL, such as https://agents.example.com (got ${JSON.stringify(e.PUBLIC_URL)})`);
  }
  if (e.S3_ENDPOINT && !/^https?:\/\/[^/\s]+/.test(e.S3_ENDPOINT)) {
    throw new ConfigError(`Invalid configuration:\n  S3_ENDPOINT: must be an http:// or https:// URL, such as http://localhost:9000 (got ${JSON.stringify(e.S3_ENDPOINT)})`);
  }
  const sandboxProvider = e.SANDBOX_PROVIDER ?? (e.E2B_API_KEY ? 'e2b' : 'local');
  if (sandboxProvider === 'e2b' && !e.E2B_API_KEY) {
    throw new ConfigError('Invalid configuration:\n  E2B_API_KEY: required when SANDBOX_PROVIDER=e2b.');
  }
  const embeddedTemporal = !e.TEMPORAL_ADDRESS;
  return {
    ...e,
    dataDir: path.resolve(e.DATA_DIR),
    sandboxProvider,
    embeddedTemporal,
    temporalAddress: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT}`,
    temporalUiUrl: (e.TEMPORAL_UI_URL ?? `http://localhost:${e.TEMPORAL_UI_PORT}`).replace(/\/$/, ''),
  };
}
