import type { AgentIterationResult, BuildErrorInfo, BuildInput, BuildPhase, BuildState, BuildStatus, FeatureProgress } from './types.ts';

/**
 * The build's state machine. The workflow drives it; the `state` query reads it.
 * Kept free of Temporal APIs so its rules read on their own.
 */
export class BuildStateMachine {
  status: BuildStatus = 'queued';
  phase: BuildPhase | null = null;
  iteration = 0;
  features: FeatureProgress = { total: 0, passing: 0 };
  usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  error: BuildErrorInfo | null = null;
  pauseRequested = false;

  constructor(readonly input: BuildInput) {}

  get allFeaturesPass(): boolean {
    return this.features.total > 0 && this.features.passing === this.features.total;
  }

  /** The initializer runs until a feature list exists; every later session codes. */
  get nextSessionKind(): 'initializer' | 'coding' {
    return this.features.total === 0 ? 'initializer' : 'coding';
  }

  /** Why the build may not start another session, or null when it may. */
  limitReached(): BuildErrorInfo | null {
    const { maxIterations, maxCostUsd } = this.input.limits;
    if (this.iteration >= maxIterations) {
      return { code: 'max_iterations', message: `Reached the limit of ${maxIterations} agent sessions. Resume with a higher maxIterations to continue.` };
    }
    if (this.usage.costUsd >= maxCostUsd) {
      return { code: 'max_cost', message: `Spent $${this.usage.costUsd.toFixed(2)} of the $${maxCostUsd} budget. Resume with a higher maxCostUsd to continue.` };
    }
    return null;
  }

  startSession(): void {
    this.iteration += 1;
    this.status = 'running';
    this.phase = this.nextSessionKind === 'initializer' ? 'initializing' : 'coding';
  }

  finishSession(result: AgentIterationResult, features: FeatureProgress): void {
    this.usage.inputTokens += result.usage.inputTokens;
    this.usage.outputTokens += result.usage.outputTokens;
    this.usage.costUsd += result.usage.costUsd;
    this.features = features;
  }

  pause(reason: BuildErrorInfo | null): void {
    this.status = 'paused';
    this.phase = null;
    this.error = reason;
  }

  resume(): void {
    this.pauseRequested = false;
    this.status = 'running';
    this.error = null;
  }

  finish(status: 'completed' | 'failed' | 'cancelled', error: BuildErrorInfo | null = null): void {
    this.status = status;
    this.phase = null;
    this.error = error;
  }

  snapshot(): BuildState {
    return {
      buildId: this.input.buildId,
      status: this.status,
      phase: this.phase,
      iteration: this.iteration,
      features: { ...this.features },
      usage: { ...this.usage },
      limits: { ...this.input.limits },
      error: this.error,
    };
  }
}
