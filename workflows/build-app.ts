import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BuildActivities } from '../activities/index.ts';
import { BuildStateMachine } from './build-state.ts';
import { pauseSignal, resumeSignal, stateQuery } from './messages.ts';
import { BuildIterationKey, BuildStatusKey, FeaturesPassingKey, FeaturesTotalKey } from './search-attributes.ts';
import type { BuildErrorInfo, BuildInput, BuildState } from './types.ts';

// Short bookkeeping against our own database: retried often, quickly.
const bookkeeping = proxyActivities<BuildActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2 },
});

// Sandbox lifecycle: a few minutes at most; a provider outage is worth waiting out.
const sandbox = proxyActivities<BuildActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Errors the agent marks as permanent: retrying cannot help until a person fixes something. */
const PERMANENT_AGENT_ERRORS = ['InvalidApiKey', 'MissingApiKey', 'InvalidSpec'];

export async function buildApp(input: BuildInput): Promise<BuildState> {
  const build = new BuildStateMachine(input);
  setHandler(stateQuery, () => build.snapshot());
  setHandler(pauseSignal, () => {
    build.pauseRequested = true;
  });
  setHandler(resumeSignal, () => {
    build.pauseRequested = false;
  });

  // A session is long: the heartbeat timeout lets a crashed worker's attempt be retried within seconds.
  const agent = proxyActivities<BuildActivities>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds} seconds`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT_AGENT_ERRORS },
  });

  const publish = async (extra: { started?: boolean; finished?: boolean } = {}) => {
    upsertSearchAttributes([
      { key: BuildStatusKey, value: build.status },
      { key: BuildIterationKey, value: build.iteration },
      { key: FeaturesPassingKey, value: build.features.passing },
      { key: FeaturesTotalKey, value: build.features.total },
    ]);
    upsertMemo({ phase: build.phase, error: build.error?.message ?? null });
    await bookkeeping.recordProgress({
      buildId: input.buildId,
      status: build.status,
      phase: build.phase,
      iteration: build.iteration,
      features: build.features,
      error: build.error,
      workflowRunId: workflowInfo().runId,
      ...extra,
    });
  };

  const waitWhilePaused = async (reason: BuildErrorInfo | null) => {
    build.pause(reason);
    await publish();
    await condition(() => !build.pauseRequested && build.limitReached() === null);
    build.resume();
    await publish();
  };

  let sandboxId: string | null = null;
  let cancellation: unknown = null;
  try {
    build.status = 'running';
    build.phase = 'provisioning';
    await publish({ started: true, finished: false });
    ({ sandboxId } = await sandbox.createSandbox({ buildId: input.buildId }));

    while (!build.allFeaturesPass) {
      const limit = build.limitReached();
      if (limit || build.pauseRequested) {
        // Reaching a limit pauses rather than fails: the work so far is kept and can be continued.
        build.pauseRequested = true;
        await waitWhilePaused(limit);
        continue;
      }
      const kind = build.nextSessionKind;
      build.startSession();
      await publish();
      try {
        const result = await agent.runAgentIteration({ buildId: input.buildId, sandboxId, iteration: build.iteration, model: input.model, kind });
        const features = await bookkeeping.snapshotFeatureList({ buildId: input.buildId, sandboxId, iteration: build.iteration });
        build.finishSession(result, features);
        await bookkeeping.recordSession({ buildId: input.buildId, iteration: build.iteration, kind, result, features });
        await publish();
      } catch (err) {
        const permanent = permanentAgentError(err);
        if (!permanent) throw err;
        build.pauseRequested = true;
        await waitWhilePaused(permanent);
      }
    }

    build.phase = 'saving';
    await publish();
    await sandbox.saveArtifact({ buildId: input.buildId, sandboxId });
    build.finish('completed');
  } catch (err) {
    if (isCancellation(err)) {
      cancellation = err;
      build.finish('cancelled');
    } else {
      build.finish('failed', { code: 'build_failed', message: errorMessage(err) });
    }
    // A cancelled or failed build's work is still the user's: save it, even though the
    // workflow's own scope may be cancelled. Best effort: a lost sandbox has nothing to save.
    await CancellationScope.nonCancellable(async () => {
      if (sandboxId) {
        build.phase = 'saving';
        await sandbox.saveArtifact({ buildId: input.buildId, sandboxId }).catch(() => undefined);
      }
    });
  } finally {
    await CancellationScope.nonCancellable(async () => {
      build.phase = 'cleanup';
      if (sandboxId) await sandbox.destroySandbox({ buildId: input.buildId, sandboxId });
      build.phase = null;
      await publish({ finished: true });
    });
  }
  if (build.status === 'failed') {
    throw ApplicationFailure.nonRetryable(build.error?.message ?? 'Build failed', 'BuildFailed');
  }
  // Rethrown so a cancelled build's run ends as Cancelled in Temporal, not Completed.
  if (cancellation) throw cancellation;
  return build.snapshot();
}

function permanentAgentError(err: unknown): BuildErrorInfo | null {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure && cause.type && PERMANENT_AGENT_ERRORS.includes(cause.type)) {
    return { code: cause.type, message: cause.message };
  }
  return null;
}

function errorMessage(err: unknown): string {
  let e: unknown = err;
  // Activity failures wrap the real error; the innermost message is the one a person can act on.
  while (e && typeof e === 'object' && 'cause' in e && (e as { cause?: unknown }).cause) e = (e as { cause: unknown }).cause;
  return e instanceof Error ? e.message : String(e);
}
