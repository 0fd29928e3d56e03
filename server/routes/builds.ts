import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Hono, type MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
import { z } from 'zod';
import type { ArtifactStorage } from '../../activities/storage/storage.ts';
import { listBuildEvents } from '../../db/build-events.ts';
import { listBuildIterations } from '../../db/build-iterations.ts';
import { buildStats as buildStatsOf } from '../../db/build-stats.ts';
import { findOwnedBuild, insertBuild, listOwnedBuilds, updateBuildProgress } from '../../db/builds.ts';
import type { Db } from '../../db/connect.ts';
import { latestFeatureSnapshot } from '../../db/feature-snapshots.ts';
import { findOwnedProject } from '../../db/projects.ts';
import { findOwnedSpec } from '../../db/specs.ts';
import type { BuildOptions } from '../../db/schema.ts';
import { claimOrRefuse } from '../active-build-limit.ts';
import { build, buildEvents, buildIterationPage, buildPage, buildStats, featureSnapshot } from '../api-schemas.ts';
import { requireUser, type AppEnv } from '../auth.ts';
import { buildControlRoutes } from './build-controls.ts';
import { buildFileRoutes } from './build-files.ts';
import { startBuildWorkflow, type WorkflowSettings } from '../build-workflows.ts';
import { toBuildView, type BuildViewSettings } from '../build-view.ts';
import { ApiError, notFound } from '../errors.ts';
import { route } from '../openapi.ts';
import { decodeCursor, pageQuery, toPage } from '../pagination.ts';
import { idParam, name, text, validate } from '../validation.ts';
import { checkSpecSize, specContent } from './specs.ts';

export interface BuildRouteSettings extends BuildViewSettings, WorkflowSettings {
  defaults: Omit<BuildOptions, 'deadline'>;
  /** Builds one user may have queued, running or paused at once (MAX_CONCURRENT_BUILDS_PER_USER). */
  maxActiveBuildsPerUser: number;
}

const statuses = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;

const createBody = z
  .strictObject({
    spec: specContent().optional().describe('The app spec text; or send specId'),
    specId: z.uuid('must be an id').optional().describe('A saved spec, whose content is copied into the build'),
    name: name().optional().describe("Default: the saved spec's name, or the spec's first line"),
    projectId: z.uuid('must be an id').optional(),
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
  })
  .refine((b) => (b.spec === undefined) !== (b.specId === undefined), 'send exactly one of spec (the text) and specId (a saved spec)');

const listQuery = z.strictObject({
  status: z.enum(statuses).optional(),
  projectId: z.uuid('must be an id').optional(),
  ...pageQuery,
});

const eventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const iterationsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0).describe('Sessions after this iteration'),
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
});

const TAG = 'Builds';
const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * Polled views answer with an ETag and 304 to If-None-Match; `no-cache` has browsers revalidate
 * every poll on their own, and `private` keeps shared caches from storing one user's builds.
 */
const revalidated = (): MiddlewareHandler => async (c, next) => {
  await next();
  if (c.res.status === 200 || c.res.status === 304) c.header('cache-control', 'private, no-cache');
};

export function buildRoutes(db: Db, temporal: Client, storage: ArtifactStorage, settings: BuildRouteSettings) {
  const ownedBuild = async (userId: string, id: string) => {
    const build = await findOwnedBuild(db, userId, id);
    if (!build) throw notFound('Build');
    return build;
  };

  return new Hono<AppEnv>()
    .use(requireUser())
    .route('/', buildControlRoutes(db, temporal, settings))
    .route('/', buildFileRoutes(db, storage))
    .post(
      '/',
      route(TAG, 'Start a build', { status: 201, description: 'The build, queued', schema: build }, [401, 404, 413, 429, 503], {
        description: 'From pasted spec text or a saved spec (its content is copied, so later edits of the spec do not change the build). 429 when you already have MAX_CONCURRENT_BUILDS_PER_USER builds queued, running or paused.',
      }),
      validate('json', createBody),
      async (c) => {
        const body = c.req.valid('json');
        checkSpecSize(body.spec, 'spec');
        const user = c.get('user');
        const saved = body.specId === undefined ? undefined : await findOwnedSpec(db, user.id, body.specId);
        if (body.specId !== undefined && !saved) throw notFound('Spec');
        if (body.projectId !== undefined && !(await findOwnedProject(db, user.id, body.projectId))) throw notFound('Project');
        const specText = saved?.content ?? body.spec!;
        const id = randomUUID();
        const { maxHours, ...rest } = body.options ?? {};
        const deadline = maxHours === undefined ? null : new Date(Date.now() + maxHours * 3600_000).toISOString();
        const options: BuildOptions = { ...settings.defaults, ...rest, deadline };
        const buildName = body.name ?? saved?.name ?? firstHeading(specText) ?? `Build ${id.slice(0, 8)}`;
        await claimOrRefuse(db, user.id, settings.maxActiveBuildsPerUser, (trx) =>
          insertBuild(trx, { id, ownerId: user.id, name: buildName, specContent: specText, specId: saved?.id ?? null, projectId: body.projectId ?? null, options, workflowId: `build-${id}` }),
        );
        try {
          const runId = await startBuildWorkflow(temporal, settings, (await findOwnedBuild(db, user.id, id))!);
          await updateBuildProgress(db, id, { workflowRunId: runId });
        } catch (err) {
          await updateBuildProgress(db, id, { status: 'failed', error: { code: 'start_failed', message: `The build could not be started: ${(err as Error).message}` }, finished: true });
          throw new ApiError(503, 'temporal_unavailable', 'The workflow service is unreachable, so the build could not start. Try again shortly.');
        }
        return c.json(toBuildView((await findOwnedBuild(db, user.id, id))!, settings), 201);
      },
    )
    .get('/', route(TAG, 'List your builds, newest first', { status: 200, description: 'A page of builds', schema: buildPage }, [401, 404]), validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const userId = c.get('user').id;
      if (q.projectId !== undefined && !(await findOwnedProject(db, userId, q.projectId))) throw notFound('Project');
      const rows = await listOwnedBuilds(db, userId, { status: q.status, projectId: q.projectId, after: decodeCursor(q.cursor), limit: q.limit + 1 });
      return c.json(toPage(rows, q.limit, (b) => ({ createdAt: b.created_at, id: b.id }), (b) => toBuildView(b, settings)));
    })
    // Before /:id, which would otherwise take "stats" for an id.
    .get(
      '/stats',
      route(TAG, 'Your builds counted by status, and the last 7 days', { status: 200, description: 'Counts and cost', schema: buildStats }, [401]),
      validate('query', z.strictObject({})),
      async (c) => c.json(await buildStatsOf(db, c.get('user').id, new Date(Date.now() - WEEK_MS))),
    )
    .get(
      '/:id',
      route(TAG, 'Get a build', { status: 200, description: 'The build (ETag; 304 to If-None-Match)', schema: build }, [401, 404]),
      revalidated(),
      etag(),
      validate('param', idParam),
      async (c) => c.json(toBuildView(await ownedBuild(c.get('user').id, c.req.valid('param').id), settings)),
    )
    .get(
      '/:id/features',
      route(TAG, "The build's latest feature_list.json snapshot", { status: 200, description: 'The snapshot (ETag; 304 to If-None-Match)', schema: featureSnapshot }, [401, 404]),
      revalidated(),
      etag(),
      validate('param', idParam),
      async (c) => {
        const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
        const snapshot = await latestFeatureSnapshot(db, build.id);
        if (!snapshot) throw new ApiError(404, 'not_found', 'This build has no feature list yet: the first agent session writes it.');
        return c.json(snapshot);
      },
    )
    .get(
      '/:id/iterations',
      route(TAG, "The build's agent sessions in order: usage, cost, duration, features before and after", { status: 200, description: 'Sessions', schema: buildIterationPage }, [401, 404]),
      revalidated(),
      etag(),
      validate('param', idParam),
      validate('query', iterationsQuery),
      async (c) => {
        const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
        const q = c.req.valid('query');
        const rows = await listBuildIterations(db, build.id, { after: q.after, limit: q.limit + 1 });
        const items = rows.slice(0, q.limit);
        return c.json({ items, nextAfter: rows.length > q.limit ? items[items.length - 1]!.iteration : null });
      },
    )
    .get(
      '/:id/events',
      route(TAG, "The build's events after a sequence number", { status: 200, description: 'Events in order', schema: buildEvents }, [401, 404]),
      validate('param', idParam),
      validate('query', eventsQuery),
      async (c) => {
        const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
        const q = c.req.valid('query');
        const events = await listBuildEvents(db, build.id, q);
        return c.json({ events, nextAfter: events.length ? events[events.length - 1]!.seq : q.after });
      },
    );
}

function firstHeading(spec: string): string | undefined {
  const line = spec.split('\n').find((l) => l.trim().length > 0);
  const name = line?.replace(/^[#\s<>/]+|[<>/]+$/g, '').trim().slice(0, 200);
  return name || undefined;
}
