import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { findOwnedBuild, updateBuildOptions, updateBuildProgress, type BuildWithArtifact } from '../../db/builds.ts';
import { listCheckpoints } from '../../db/checkpoints.ts';
import type { Db } from '../../db/connect.ts';
import type { BuildStatus } from '../../db/schema.ts';
import { innermostMessage } from '../../workflows/failures.ts';
import { pauseSignal, resumeSignal, updateLimitsUpdate } from '../../workflows/messages.ts';
import type { CarriedState, LimitsPatch } from '../../workflows/types.ts';
import type { AppEnv } from '../auth.ts';
import { startBuildWorkflow, type WorkflowSettings } from '../build-workflows.ts';
import { toBuildView, type BuildViewSettings } from '../build-view.ts';
import { claimOrRefuse } from '../active-build-limit.ts';
import { build as buildSchema } from '../api-schemas.ts';
import { ApiError, notFound } from '../errors.ts';
import { route } from '../openapi.ts';
import { idParam, validate } from '../validation.ts';

const resumeBody = z
  .strictObject({
    limits: z
      .strictObject({
        maxIterations: z.number().int().min(1).max(10_000).optional(),
        maxCostUsd: z.number().positive().max(100_000).optional(),
        maxHours: z.number().positive().max(24 * 365).optional(),
        stallLimit: z.number().int().min(1).max(1000).optional(),
      })
      .optional(),
  })
  .default({});

const TAG = 'Builds';
const accepted202 = { status: 202, description: 'Accepted: the build as it is now', schema: buildSchema };

/**
 * Pause, resume and cancel: messages to the build's workflow, answered 202 with the build as it
 * is now. Mounted inside the builds router, whose auth middleware covers these routes too.
 */
export function buildControlRoutes(db: Db, temporal: Client, settings: BuildViewSettings & WorkflowSettings & { maxActiveBuildsPerUser: number }) {
  const ownedBuild = async (userId: string, id: string) => {
    const build = await findOwnedBuild(db, userId, id);
    if (!build) throw notFound('Build');
    return build;
  };
  const requireStatus = (build: BuildWithArtifact, allowed: BuildStatus[], action: string) => {
    if (!allowed.includes(build.status)) {
      throw new ApiError(409, 'invalid_state', `A ${build.status} build cannot be ${action}; only ${allowed.join(', ')} builds can.`);
    }
  };
  const accepted = async (userId: string, id: string) => toBuildView((await findOwnedBuild(db, userId, id))!, settings);

  return new Hono<AppEnv>()
    .post('/:id/pause', route(TAG, 'Pause a build', accepted202, [401, 404, 409, 503], { description: 'The running session stops at its next safe point and the workspace is checkpointed.' }), validate('param', idParam), async (c) => {
      const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
      requireStatus(build, ['queued', 'running'], 'paused');
      await messageWorkflow(() => temporal.workflow.getHandle(build.workflow_id).signal(pauseSignal));
      return c.json(await accepted(build.owner_id, build.id), 202);
    })
    .post(
      '/:id/resume',
      route(TAG, 'Resume a paused build, or restart a failed or cancelled one from its last checkpoint', accepted202, [401, 404, 409, 429, 503], {
        description: 'Optionally with raised limits. Restarting a failed or cancelled build counts against MAX_CONCURRENT_BUILDS_PER_USER (429 beyond it).',
      }),
      validate('param', idParam),
      validate('json', resumeBody),
      async (c) => {
        const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
        requireStatus(build, ['paused', 'failed', 'cancelled'], 'resumed');
        const { maxHours, ...limits } = c.req.valid('json').limits ?? {};
        const patch: LimitsPatch = { ...limits, ...(maxHours !== undefined && { deadline: new Date(Date.now() + maxHours * 3600_000).toISOString() }) };
        const options = { ...build.options, ...patch };

        if (build.status === 'paused') {
          const handle = temporal.workflow.getHandle(build.workflow_id);
          if (Object.keys(patch).length > 0) await messageWorkflow(() => handle.executeUpdate(updateLimitsUpdate, { args: [patch] }));
          await updateBuildOptions(db, build.id, options);
          await messageWorkflow(() => handle.signal(resumeSignal));
          return c.json(await accepted(build.owner_id, build.id), 202);
        }

        // A failed or cancelled build: a new run of build-<id> continues from its last checkpoint.
        // It is queued (and so takes one of the owner's active slots) before the run starts.
        await claimOrRefuse(db, build.owner_id, settings.maxActiveBuildsPerUser, async (trx) => {
          await updateBuildOptions(trx, build.id, options);
          await updateBuildProgress(trx, build.id, { status: 'queued', phase: null, error: null, finished: false });
        });
        const [latest] = await listCheckpoints(db, build.id);
        const carried: CarriedState = {
          iteration: build.iteration,
          features: { total: build.features_total, passing: build.features_passing },
          usage: { inputTokens: build.input_tokens, outputTokens: build.output_tokens, costUsd: build.cost_usd },
          sessionsWithoutProgress: 0,
          sandboxId: null,
          checkpointKey: latest?.storageKey ?? null,
          pauseRequested: false,
          haltReason: null,
        };
        try {
          const runId = await messageWorkflow(() => startBuildWorkflow(temporal, settings, { ...build, options }, carried));
          await updateBuildProgress(db, build.id, { workflowRunId: runId });
        } catch (err) {
          // No run started: the build goes back to how it was, freeing the slot.
          await updateBuildProgress(db, build.id, { status: build.status, error: build.error, finished: true });
          throw err;
        }
        return c.json(await accepted(build.owner_id, build.id), 202);
      },
    )
    .post('/:id/cancel', route(TAG, 'Cancel a build', accepted202, [401, 404, 409, 503], { description: 'Temporal cancellation: the workflow still saves the artifact and destroys the sandbox.' }), validate('param', idParam), async (c) => {
      const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
      requireStatus(build, ['queued', 'running', 'paused'], 'cancelled');
      // Temporal cancellation: the workflow still saves the artifact and destroys the sandbox.
      await messageWorkflow(() => temporal.workflow.getHandle(build.workflow_id).cancel());
      return c.json(await accepted(build.owner_id, build.id), 202);
    });
}

/** Maps what Temporal answers to API errors: a closed run is a state conflict, a refused update bad input. */
async function messageWorkflow<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ApiError(409, 'invalid_state', 'The build has just finished; reload it to see its final state.');
    if (err instanceof WorkflowUpdateFailedError) throw new ApiError(400, 'invalid_input', `limits: ${innermostMessage(err)}`);
    if (err instanceof Error && /already started|AlreadyStarted/i.test(err.name + err.message)) {
      throw new ApiError(409, 'invalid_state', 'The build is already running.');
    }
    throw new ApiError(503, 'temporal_unavailable', `The workflow service did not accept the request: ${(err as Error).message}`);
  }
}
