import { z } from 'zod';

/**
 * What the API answers, as schemas: they document responses in /api/openapi.json, and the tests
 * parse real responses with them, so the document cannot drift from what the routes send.
 */

const time = z.iso.datetime();
const nullableTime = time.nullable();

export const apiError = z.strictObject({ error: z.strictObject({ code: z.string(), message: z.string() }) });

export const user = z.strictObject({ id: z.uuid(), email: z.string(), name: z.string().nullable(), createdAt: time });
export const userBody = z.strictObject({ user });

export const apiToken = z.strictObject({ id: z.uuid(), name: z.string(), createdAt: time, lastUsedAt: nullableTime });
export const createdApiToken = apiToken.extend({ token: z.string().describe('Shown only in this response: only its hash is stored') });
export const apiTokenList = z.strictObject({ items: z.array(apiToken) });

const specFields = {
  id: z.uuid(),
  name: z.string(),
  sizeBytes: z.number().int().describe('UTF-8 bytes of the content'),
  lineCount: z.number().int(),
  createdAt: time,
  updatedAt: time,
};
export const specSummary = z.strictObject(specFields);
export const spec = z.strictObject({ ...specFields, content: z.string() });
export const specPage = z.strictObject({ items: z.array(specSummary), nextCursor: z.string().nullable() });

export const project = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  buildCount: z.number().int(),
  createdAt: time,
  updatedAt: time,
});
export const projectPage = z.strictObject({ items: z.array(project), nextCursor: z.string().nullable() });

const statuses = z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'cancelled']);

export const build = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  status: statuses,
  phase: z.enum(['provisioning', 'initializing', 'coding', 'checkpointing', 'saving', 'cleanup']).nullable(),
  iteration: z.number().int(),
  features: z.strictObject({ total: z.number().int(), passing: z.number().int() }),
  usage: z.strictObject({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() }),
  limits: z.strictObject({ maxIterations: z.number().int(), maxCostUsd: z.number(), deadline: nullableTime, stallLimit: z.number().int() }),
  model: z.string(),
  specId: z.uuid().nullable().describe('The saved spec it was started from; null for a pasted spec, or once that spec is deleted'),
  projectId: z.uuid().nullable(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  artifact: z
    .strictObject({
      sizeBytes: z.number().nullable(),
      sha256: z.string(),
      fileCount: z.number().int().nullable(),
      createdAt: time,
      url: z.string(),
      zipUrl: z.string(),
    })
    .nullable(),
  createdAt: time,
  startedAt: nullableTime,
  finishedAt: nullableTime,
  updatedAt: time,
  workflow: z.strictObject({ id: z.string(), runId: z.string().nullable(), temporalUiUrl: z.string() }),
});
export const buildPage = z.strictObject({ items: z.array(build), nextCursor: z.string().nullable() });

const count = z.number().int();
export const buildStats = z.strictObject({
  byStatus: z.strictObject({ queued: count, running: count, paused: count, completed: count, failed: count, cancelled: count }),
  thisWeek: z
    .strictObject({ started: count, completed: count, costUsd: z.number() })
    .describe('The last 7 days: builds created, builds completed, and what all sessions in that time cost'),
});

export const buildIteration = z.strictObject({
  iteration: count,
  kind: z.string(),
  inputTokens: count,
  outputTokens: count,
  cacheCreationInputTokens: count,
  cacheReadInputTokens: count,
  costUsd: z.number(),
  turns: count,
  stopReason: z.string(),
  featuresPassing: count,
  featuresTotal: count,
  featuresPassingBefore: count.nullable(),
  durationMs: count.nullable(),
  createdAt: time,
});
export const buildIterationPage = z.strictObject({
  items: z.array(buildIteration),
  nextAfter: count.nullable().describe('Pass as `after` for the next sessions; null after the last'),
});

export const featureSnapshot = z.strictObject({
  iteration: count,
  features: z.array(z.strictObject({ category: z.string(), description: z.string(), steps: z.array(z.string()), passes: z.boolean() })),
  total: count,
  passing: count,
  createdAt: time,
});

export const buildEvents = z.strictObject({
  events: z.array(z.strictObject({ seq: count, at: time, type: z.string(), iteration: count, data: z.record(z.string(), z.unknown()) })),
  nextAfter: count,
});

export const folderListing = z.strictObject({
  source: z.strictObject({ kind: z.enum(['artifact', 'checkpoint']), iteration: count.nullable(), createdAt: time, fileCount: count.nullable() }),
  path: z.string(),
  entries: z.array(
    z.strictObject({
      name: z.string(),
      path: z.string(),
      type: z.string(),
      sizeBytes: z.number().nullable(),
      modifiedAt: nullableTime,
      target: z.string().optional(),
    }),
  ),
  truncated: z.boolean(),
});

export const health = z.strictObject({ status: z.literal('ok') });
export const readiness = z.strictObject({ status: z.literal('ready'), checks: z.strictObject({ database: z.string(), temporal: z.string() }) });
