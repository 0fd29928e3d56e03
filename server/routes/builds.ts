import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import type { ArtifactStorage } from '../../activities/storage/storage.ts';
import { listBuildEvents } from '../../db/build-events.ts';
import { findOwnedBuild, insertBuild, listOwnedBuilds, updateBuildProgress } from '../../db/builds.ts';
import type { Db } from '../../db/connect.ts';
import { latestFeatureSnapshot } from '../../db/feature-snapshots.ts';
import type { BuildOptions } from '../../db/schema.ts';
import { requireUser, type AppEnv } from '../auth.ts';
import { buildControlRoutes } from './build-controls.ts';
import { buildFileRoutes } from './build-files.ts';
import { startBuildWorkflow, type WorkflowSettings } from '../build-workflows.ts';
import { decodeCursor, encodeCursor, toBuildView, type BuildViewSettings } from '../build-view.ts';
import { ApiError, notFound } from '../errors.ts';
import { idParam, text, validate } from '../validation.ts';

export const MAX_SPEC_BYTES = 1024 * 1024;

export interface BuildRouteSettings extends BuildViewSettings, WorkflowSettings {
  defaults: Omit<BuildOptions, 'deadline'>;
}

const statuses = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;

const createBody = z.strictObject({
  spec: text().min(1, 'must not be empty'),
  name: text().trim().min(1).max(200).optional(),
  options: z
    .strictObject({
      model: text().trim().min(1).max(100).optional(),
      maxIterations: z.number().int().min(1).max(10_000).optional(),
      maxCostUsd: z.number().positive().max(100_000).optional(),
      maxHours: z.number().positive().max(24 * 365).optional(),
      stallLimit: z.number().int().min(1).max(1000).optional(),
      sandbox: z.enum(['local', 'e2b']).optional(),
    })
    .optional(),
});

const listQuery = z.strictObject({
  status: z.enum(statuses).optional(),
  cursor: text().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const eventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export function buildRoutes(db: Db, temporal: Client, storage: ArtifactStorage, settings: BuildRouteSettings) {
  const ownedBuild = async (userId: string, id: string) => {
    const build = await findOwnedBuild(db, userId, id);
    if (!build) throw notFound('Build');
    return build;
  };

  return new Hono<AppEnv>()
    .use(requireUser(db))
    .route('/', buildControlRoutes(db, temporal, settings))
    .route('/', buildFileRoutes(db, storage))
    .post('/', validate('json', createBody), async (c) => {
      const body = c.req.valid('json');
      if (Buffer.byteLength(body.spec) > MAX_SPEC_BYTES) throw new ApiError(413, 'payload_too_large', 'spec: must be at most 1 MB');
      const user = c.get('user');
      const id = randomUUID();
      const { maxHours, ...rest } = body.options ?? {};
      const deadline = maxHours === undefined ? null : new Date(Date.now() + maxHours * 3600_000).toISOString();
      const options: BuildOptions = { ...settings.defaults, ...rest, deadline };
      const name = body.name ?? firstHeading(body.spec) ?? `Build ${id.slice(0, 8)}`;
      await insertBuild(db, { id, ownerId: user.id, name, specContent: body.spec, options, workflowId: `build-${id}` });
      try {
        const runId = await startBuildWorkflow(temporal, settings, (await findOwnedBuild(db, user.id, id))!);
        await updateBuildProgress(db, id, { workflowRunId: runId });
      } catch (err) {
        await updateBuildProgress(db, id, { status: 'failed', error: { code: 'start_failed', message: `The build could not be started: ${(err as Error).message}` }, finished: true });
        throw new ApiError(503, 'temporal_unavailable', 'The workflow service is unreachable, so the build could not start. Try again shortly.');
      }
      return c.json(toBuildView((await findOwnedBuild(db, user.id, id))!, settings), 201);
    })
    .get('/', validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && !after) throw new ApiError(400, 'invalid_input', 'cursor: is not a cursor this API returned');
      const rows = await listOwnedBuilds(db, c.get('user').id, { status: q.status, after, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return c.json({ items: page.map((b) => toBuildView(b, settings)), nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null });
    })
    .get('/:id', validate('param', idParam), async (c) => c.json(toBuildView(await ownedBuild(c.get('user').id, c.req.valid('param').id), settings)))
    .get('/:id/features', validate('param', idParam), async (c) => {
      const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
      const snapshot = await latestFeatureSnapshot(db, build.id);
      if (!snapshot) throw new ApiError(404, 'not_found', 'This build has no feature list yet: the first agent session writes it.');
      return c.json(snapshot);
    })
    .get('/:id/events', validate('param', idParam), validate('query', eventsQuery), async (c) => {
      const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
      const q = c.req.valid('query');
      const events = await listBuildEvents(db, build.id, q);
      return c.json({ events, nextAfter: events.length ? events[events.length - 1]!.seq : q.after });
    });
}

function firstHeading(spec: string): string | undefined {
  const line = spec.split('\n').find((l) => l.trim().length > 0);
  const name = line?.replace(/^[#\s<>/]+|[<>/]+$/g, '').trim().slice(0, 200);
  return name || undefined;
}
