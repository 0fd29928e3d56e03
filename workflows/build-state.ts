import type { AgentIterationResult, BuildErrorInfo, BuildInput, BuildLimits, BuildPhase, BuildState, BuildStatus, CarriedState, FeatureProgress, LimitsPatch } from './types.ts';

/**
 * The build's state machine. The workflow drives it; the `state` query reads it; continue-as-new
 * carries it. Kept free of Temporal APIs so its rules read on their own.
 */
export class BuildStateMachine {
  status: BuildStatus = 'queued';
  phase: BuildPhase | null = null;
  iteration: number;
  features: FeatureProgress;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  limits: BuildLimits;
  /** Why the build is paused or failed; shown to the user. */
  error: BuildErrorInfo | null = null;
  pauseRequested: boolean;
  /** A permanent problem (bad API key) that stops sessions until a person resumes the build. */
  haltReason: BuildErrorInfo | null;
  sessionsWithoutProgress: number;
  sandboxId: string | null;
  checkpointKey: string | null;
  sessionsThisRun = 0;

  constructor(readonly input: BuildInput) {
    const c = input.carried;
    this.iteration = c?.iteration ?? 0;
    this.features = c?.features ?? { total: 0, passing: 0 };
    this.usage = c?.usage ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 };
    this.sessionsWithoutProgress = c?.sessionsWithoutProgress ?? 0;
    this.sandboxId = c?.sandboxId ?? null;
    this.checkpointKey = c?.checkpointKey ?? null;
    this.pauseRequested = c?.pauseRequested ?? false;
    this.haltReason = c?.haltReason ?? null;
    this.limits = { ...input.limits };
  }

  get allFeaturesPass(): boolean {
    return this.features.total > 0 && this.features.passing === this.features.total;
  }

  /** The initializer runs until a feature list exists; every later session codes. */
  get nextSessionKind(): 'initializer' | 'coding' {
    return this.features.total === 0 ? 'initializer' : 'coding';
  }

  /** Why the build may not start another session now, or null when it may. */
  stopReason(now: number): BuildErrorInfo | null {
    if (this.haltReason) return this.haltReason;
    const { maxIterations, maxCostUsd, deadline, stallLimit } = this.limits;
    if (this.iteration >= maxIterations) {
      return { code: 'max_iterations', message: `Reached the limit of ${maxIterations} agent sessions. Resume with a higher maxIterations to continue.` };
    }
    if (this.usage.costUsd >= maxCostUsd) {
      return { code: 'max_cost', message: `Spent $${this.usage.costUsd.toFixed(2)} of the $${maxCostUsd} budget. Resume with a higher maxCostUsd to continue.` };
    }
    if (deadline && now >= Date.parse(deadline)) {
      return { code: 'deadline', message: `Reached the deadline (${deadline}). Resume with a later deadline to continue.` };
    }
    if (this.sessionsWithoutProgress >= stallLimit) {
      return { code: 'stalled', message: `${this.sessionsWithoutProgress} sessions in a row passed no new feature. Check the build's events, then resume to try again.` };
    }
    return null;
  }

  startSession(): void {
    this.iteration += 1;
    this.sessionsThisRun += 1;
    this.status = 'running';
    this.error = null;
    this.phase = this.nextSessionKind === 'initializer' ? 'initializing' : 'coding';
  }

  finishSession(kind: 'initializer' | 'coding', result: AgentIterationResult, features: FeatureProgress): void {
    this.usage.inputTokens += result.usage.inputTokens + result.usage.cacheCreationInputTokens + result.usage.cacheReadInputTokens;
    this.usage.outputTokens += result.usage.outputTokens;
    this.usage.costUsd += result.usage.costUsd;
    const progressed = features.passing > this.features.passing;
    // An interrupted session is not a stall: it was stopped, it did not fail to progress.
    if (kind === 'coding' && !progressed && result.stopReason !== 'interrupted') this.sessionsWithoutProgress += 1;
    else if (progressed) this.sessionsWithoutProgress = 0;
    this.features = features;
  }

  halt(reason: BuildErrorInfo): void {
    this.haltReason = reason;
    this.pauseRequested = true;
  }

  pause(reason: BuildErrorInfo | null): void {
    // Whatever stopped the build, only an explicit resume restarts it.
    this.pauseRequested = true;
    this.status = 'paused';
    this.phase = null;
    this.error = reason;
  }

  /** A resume clears a halt and the stall count: the person has looked and wants another try. */
  requestResume(): void {
    this.pauseRequested = false;
    this.haltReason = null;
    this.sessionsWithoutProgress = 0;
  }

  canContinue(now: number): boolean {
    return !this.pauseRequested && this.stopReason(now) === null;
  }

  resumed(): void {
    this.status = 'running';
    this.error = null;
  }

  raiseLimits(patch: LimitsPatch): void {
    this.limits = { ...this.limits, ...patch };
  }

  finish(status: 'completed' | 'failed' | 'cancelled', error: BuildErrorInfo | null = null): void {
    this.status = status;
    this.phase = null;
    this.error = error;
  }

  carry(): CarriedState {
    return {
      iteration: this.iteration,
      features: { ...this.features },
      usage: { ...this.usage },
      sessionsWithoutProgress: this.sessionsWithoutProgress,
      sandboxId: this.sandboxId,
      checkpointKey: this.checkpointKey,
      pauseRequested: this.pauseRequested,
      haltReason: this.haltReason,
    };
  }

  snapshot(): BuildState {
    return {
      buildId: this.input.buildId,
      status: this.status,
      phase: this.phase,
      iteration: this.iteration,
      features: { ...this.features },
      usage: { ...this.usage },
      limits: { ...this.limits },
      error: this.error,
      pauseRequested: this.pauseRequested,
      sessionsWithoutProgress: this.sessionsWithoutProgress,
      sandboxId: this.sandboxId,
      checkpointKey: this.checkpointKey,
    };
  }
}

/** Rejects limits that make no sense; a lower limit than the current one is allowed (it pauses sooner). */
export function validateLimitsPatch(patch: LimitsPatch): void {
  const allowed = new Set(['maxIterations', 'maxCostUsd', 'deadline', 'stallLimit']);
  for (const key of Object.keys(patch)) if (!allowed.has(key)) throw new Error(`Unknown limit: ${key}`);
  if (patch.maxIterations !== undefined && !(Number.isInteger(patch.maxIterations) && patch.maxIterations >= 1)) throw new Error('maxIterations must be a whole number of at least 1');
  if (patch.maxCostUsd !== undefined && !(typeof patch.maxCostUsd === 'number' && patch.maxCostUsd > 0)) throw new Error('maxCostUsd must be a positive number');
  if (patch.stallLimit !== undefined && !(Number.isInteger(patch.stallLimit) && patch.stallLimit >= 1)) throw new Error('stallLimit must be a whole number of at least 1');
  if (patch.deadline !== undefined && patch.deadline !== null && Number.isNaN(Date.parse(patch.deadline))) throw new Error('deadline must be an ISO date-time or null');
}
