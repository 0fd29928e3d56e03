import {
  ActivityCancellationType,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BuildActivities } from '../activities/index.ts';
import { BuildStateMachine, validateLimitsPatch } from './build-state.ts';
import { innermostMessage } from './failures.ts';
import { pauseSignal, resumeSignal, stateQuery, updateLimitsUpdate } from './messages.ts';
import { BuildIterationKey, BuildStatusKey, FeaturesPassingKey, FeaturesTotalKey } from './search-attributes.ts';
import type { AgentIterationResult, BuildErrorInfo, BuildInput, BuildState } from './types.ts';

// Bookkeeping against our own database (and one small file read): local activities, so each
// costs a marker in history instead of a server round trip and three events.
const bookkeeping = proxyLocalActivities<BuildActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2, nonRetryableErrorTypes: ['SandboxLost'] },
});

// Sandbox lifecycle and workspace archives: minutes at most; a provider outage is worth waiting out.
const sandboxes = proxyActivities<BuildActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['SandboxLost', 'InvalidSpec', 'CheckpointMissing'] },
});

/** Patch ids: each marks a change to the order of workflow commands (see tests/histories/). */
const PAUSE_SANDBOX_WHILE_PAUSED = 'pause-sandbox-while-paused';

/** Errors retrying cannot fix until a person acts: the build pauses with the reason. */
const PERMANENT_AGENT_ERRORS = ['InvalidApiKey', 'MissingApiKey', 'InvalidSpec'];

export async function buildApp(input: BuildInput): Promise<BuildState> {
  const build = new BuildStateMachine(input);
  let session: CancellationScope | null = null;
  let eventSeq = 0;

  setHandler(stateQuery, () => build.snapshot());
  setHandler(pauseSignal, () => {
    build.pauseRequested = true;
    // The running session stops at its next safe point; its work so far is checkpointed.
    session?.cancel();
  });
  setHandler(resumeSignal, () => build.requestResume());
  setHandler(
    updateLimitsUpdate,
    (patch) => {
      build.raiseLimits(patch);
      return build.snapshot();
    },
    { validator: validateLimitsPatch },
  );

  // A session is long: the heartbeat timeout lets a dead worker's attempt be retried within seconds,
  // and WAIT_CANCELLATION_COMPLETED means a pause or cancel continues only once the session has stopped.
  const agent = proxyActivities<BuildActivities>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds} seconds`,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: `${input.sessionRetry.initialIntervalSeconds} seconds`,
      maximumInterval: '5 minutes',
      backoffCoefficient: 2,
      maximumAttempts: input.sessionRetry.maximumAttempts,
      nonRetryableErrorTypes: [...PERMANENT_AGENT_ERRORS, 'SandboxLost'],
    },
  });

  const recordEvent = (type: string, data: Record<string, unknown> = {}) =>
    bookkeeping.recordBuildEvent({ buildId: input.buildId, key: `${workflowInfo().runId}.${eventSeq++}`, iteration: build.iteration, type, data });

  let published = '';
  const publish = async (extra: { started?: boolean; finished?: boolean } = {}) => {
    // Search attributes and memo change history; write them only when they changed.
    const visible = JSON.stringify([build.status, build.iteration, build.features, build.phase, build.error?.message ?? null]);
    if (visible !== published) {
      published = visible;
      upsertSearchAttributes([
        { key: BuildStatusKey, value: build.status },
        { key: BuildIterationKey, value: build.iteration },
        { key: FeaturesPassingKey, value: build.features.passing },
        { key: FeaturesTotalKey, value: build.features.total },
      ]);
      upsertMemo({ phase: build.phase, error: build.error?.message ?? null });
    }
    await bookkeeping.recordProgress({
      buildId: input.buildId,
      status: build.status,
      phase: build.phase,
      iteration: build.iteration,
      features: build.features,
      error: build.error,
      sandboxId: build.sandboxId,
      workflowRunId: workflowInfo().runId,
      ...extra,
    });
  };

  /** Nothing runs while paused: the workspace was checkpointed after the last session. */
  const pauseUntilResumed = async (reason: BuildErrorInfo | null) => {
    build.pause(reason);
    await recordEvent('paused', { reason });
    await publish();
    // A paused build costs nothing: an E2B sandbox is paused too (a local one runs no process).
    // Builds recorded before this step replay without it.
    if (build.sandboxId && patched(PAUSE_SANDBOX_WHILE_PAUSED)) await pauseSandbox(build.sandboxId);
    await condition(() => build.canContinue(Date.now()));
    build.resumed();
    await recordEvent('resumed');
    await publish();
  };

  const pauseSandbox = async (sandboxId: string) => {
    try {
      await sandboxes.pauseSandbox({ buildId: input.buildId, sandboxId });
    } catch (err) {
      // Gone already (expired, deleted): the next session restores it from the checkpoint.
      if (failureType(err) !== 'SandboxLost') throw err;
      await sandboxLost(err);
    }
  };

  const sandboxLost = async (err: unknown) => {
    await recordEvent('sandbox_lost', { sandboxId: build.sandboxId, message: innermostMessage(err), restoreFrom: build.checkpointKey });
    build.sandboxId = null;
  };

  const runSession = async () => {
    if (!build.sandboxId) {
      build.phase = 'provisioning';
      await publish();
      ({ sandboxId: build.sandboxId } = await sandboxes.provisionSandbox({ buildId: input.buildId, restoreFrom: build.checkpointKey, iteration: build.iteration }));
    }
    const sandboxId = build.sandboxId;
    const kind = build.nextSessionKind;
    build.startSession();
    await publish();
    let result: AgentIterationResult;
    try {
      session = new CancellationScope();
      result = await session.run(() => agent.runAgentIteration({ buildId: input.buildId, sandboxId, iteration: build.iteration, model: input.model, kind }));
    } catch (err) {
      if (failureType(err) === 'SandboxLost') return sandboxLost(err);
      const permanent = permanentAgentError(err);
      if (permanent) return build.halt(permanent);
      // A pause that cancelled the session before it started: nothing ran, nothing to record.
      if (isCancellation(err) && !CancellationScope.current().consideredCancelled) return;
      throw err;
    } finally {
      session = null;
    }
    try {
      const features = await bookkeeping.snapshotFeatureList({ buildId: input.buildId, sandboxId, iteration: build.iteration });
      build.finishSession(kind, result, features);
      await bookkeeping.recordSession({ buildId: input.buildId, iteration: build.iteration, kind, result, features });
      build.phase = 'checkpointing';
      await publish();
      ({ key: build.checkpointKey } = await sandboxes.checkpointWorkspace({ buildId: input.buildId, sandboxId, iteration: build.iteration }));
    } catch (err) {
      if (failureType(err) === 'SandboxLost') return sandboxLost(err);
      throw err;
    }
  };

  /** Runs sessions until every feature passes ('done') or this run has done its share ('continue'). */
  const runSessions = async (): Promise<'done' | 'continue'> => {
    while (!build.allFeaturesPass) {
      const stop = build.stopReason(Date.now());
      if (stop || build.pauseRequested) {
        await pauseUntilResumed(stop);
        continue;
      }
      if (build.sessionsThisRun >= input.continueAsNewEvery || workflowInfo().continueAsNewSuggested) return 'continue';
      await runSession();
      await publish();
    }
    return 'done';
  };

  let cancellation: unknown = null;
  let outcome: 'done' | 'continue' = 'done';
  try {
    build.status = build.pauseRequested ? 'paused' : 'running';
    await publish({ started: true, finished: false });
    outcome = await runSessions();
    if (outcome === 'done') {
      build.phase = 'saving';
      await publish();
      if (build.sandboxId) await sandboxes.saveArtifact({ buildId: input.buildId, sandboxId: build.sandboxId });
      build.finish('completed');
    }
  } catch (err) {
    if (isCancellation(err)) {
      cancellation = err;
      build.finish('cancelled');
    } else {
      build.finish('failed', { code: 'build_failed', message: innermostMessage(err) });
    }
    // A cancelled or failed build's work is still the user's: save it, though the workflow's own
    // scope may be cancelled. Best effort: a lost sandbox has nothing left to save.
    await CancellationScope.nonCancellable(async () => {
      if (build.sandboxId) await sandboxes.saveArtifact({ buildId: input.buildId, sandboxId: build.sandboxId }).catch(() => undefined);
    });
  }

  if (outcome === 'continue' && build.status === 'running') {
    // The sandbox lives on into the next run; handlers must finish so no update is lost.
    await condition(allHandlersFinished);
    await recordEvent('continued_as_new', { iteration: build.iteration });
    return continueAsNew<typeof buildApp>({ ...input, limits: build.limits, carried: build.carry() });
  }

  await CancellationScope.nonCancellable(async () => {
    build.phase = 'cleanup';
    if (build.sandboxId) await sandboxes.destroySandbox({ buildId: input.buildId, sandboxId: build.sandboxId });
    build.sandboxId = null;
    const status = build.status;
    build.phase = null;
    await publish({ finished: true });
    await recordEvent(status, { iteration: build.iteration, features: build.features });
  });
  await condition(allHandlersFinished);
  if (build.status === 'failed') throw ApplicationFailure.nonRetryable(build.error?.message ?? 'Build failed', 'BuildFailed');
  // Rethrown so a cancelled build's run ends as Cancelled in Temporal, not Completed.
  if (cancellation) throw cancellation;
  return build.snapshot();
}

function failureType(err: unknown): string | undefined {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof ApplicationFailure ? cause.type ?? undefined : undefined;
}

function permanentAgentError(err: unknown): BuildErrorInfo | null {
  const type = failureType(err);
  if (!type || !PERMANENT_AGENT_ERRORS.includes(type)) return null;
  return { code: type, message: innermostMessage(err) };
}
