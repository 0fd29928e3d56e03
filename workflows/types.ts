// Payload types at the workflow/activity edge. Plain data only: they cross Temporal's serializer.

export type BuildStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export type BuildPhase = 'provisioning' | 'initializing' | 'coding' | 'checkpointing' | 'saving' | 'cleanup';

export interface BuildLimits {
  maxIterations: number;
  maxCostUsd: number;
}

export interface BuildInput {
  buildId: string;
  ownerId: string;
  model: string;
  limits: BuildLimits;
  /** Fixed when the build starts, so a changed setting never alters a running build's history. */
  heartbeatTimeoutSeconds: number;
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
  stopReason: string;
}

export interface FeatureProgress {
  total: number;
  passing: number;
}

export interface BuildErrorInfo {
  code: string;
  message: string;
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
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  limits: BuildLimits;
  error: BuildErrorInfo | null;
}
