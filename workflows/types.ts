// Payload types at the workflow/activity edge. Plain data only: they cross Temporal's serializer.

export type BuildStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export type BuildPhase = 'provisioning' | 'initializing' | 'coding' | 'checkpointing' | 'saving' | 'cleanup';

export interface BuildLimits {
  maxIterations: number;
  maxCostUsd: number;
  /** ISO time after which no new session starts; null for none. */
  deadline: string | null;
  /** Coding sessions in a row without a newly passing feature before the build pauses. */
  stallLimit: number;
}

/** What `updateLimits` accepts: any subset, each only raised or set. */
export type LimitsPatch = Partial<BuildLimits>;

export interface BuildErrorInfo {
  code: string;
  message: string;
}

export interface FeatureProgress {
  total: number;
  passing: number;
}

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Everything a build must remember across continue-as-new and across a resumed run. */
export interface CarriedState {
  iteration: number;
  features: FeatureProgress;
  usage: UsageTotals;
  sessionsWithoutProgress: number;
  sandboxId: string | null;
  checkpointKey: string | null;
  pauseRequested: boolean;
  haltReason: BuildErrorInfo | null;
}

export interface BuildInput {
  buildId: string;
  ownerId: string;
  model: string;
  limits: BuildLimits;
  /** Fixed when the build starts, so a changed setting never alters a running build's history. */
  heartbeatTimeoutSeconds: number;
  sessionRetry: { maximumAttempts: number; initialIntervalSeconds: number };
  /** Start a new run after this many sessions, keeping every run's history small. */
  continueAsNewEvery: number;
  /** Absent on a build's first run. */
  carried?: CarriedState;
}

export interface SessionUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
}

export interface AgentIterationInput {
  buildId: string;
  sandboxId: string;
  iteration: number;
  model: string;
  /** The first session writes feature_list.json from the spec; later ones implement features. */
  kind: 'initializer' | 'coding';
}

export interface AgentIterationResult {
  usage: SessionUsage;
  turns: number;
  /** The model's last stop reason, `max_turns`, or `interrupted` when a pause or cancel stopped it. */
  stopReason: string;
}

export interface ProgressUpdate {
  buildId: string;
  status?: BuildStatus;
  phase?: BuildPhase | null;
  iteration?: number;
  features?: FeatureProgress;
  error?: BuildErrorInfo | null;
  sandboxId?: string | null;
  workflowRunId?: string;
  started?: boolean;
  finished?: boolean;
}

/** What the `state` query answers: the workflow's live view of the build. */
export interface BuildState {
  buildId: string;
  status: BuildStatus;
  phase: BuildPhase | null;
  iteration: number;
  features: FeatureProgress;
  usage: UsageTotals;
  limits: BuildLimits;
  error: BuildErrorInfo | null;
  pauseRequested: boolean;
  sessionsWithoutProgress: number;
  sandboxId: string | null;
  checkpointKey: string | null;
}
