// Shapes returned by the platform's HTTP API (see the API contract in the README).

export interface User {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const BUILD_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** Builds in these states can still change, so pages keep polling them. */
export function isActiveStatus(status: BuildStatus): boolean {
  return status === 'queued' || status === 'running' || status === 'paused';
}

export interface BuildArtifact {
  sizeBytes: number | null;
  sha256: string;
  fileCount?: number | null;
  createdAt: string;
  url: string;
  zipUrl?: string;
}

export interface Build {
  id: string;
  name: string;
  status: BuildStatus;
  phase: string | null;
  iteration: number;
  features: { total: number; passing: number };
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  limits: { maxIterations: number | null; maxCostUsd: number | null; deadline?: string | null; stallLimit?: number | null };
  model: string | null;
  error: { code: string; message: string } | null;
  artifact: BuildArtifact | null;
  specId?: string | null;
  projectId?: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  workflow: { id: string; runId: string | null; temporalUiUrl: string };
}

export type BuildPage = Page<Build>;

export interface BuildStats {
  byStatus: Record<BuildStatus, number>;
  thisWeek: { started: number; completed: number; costUsd: number };
}

export interface Feature {
  category: string;
  description: string;
  steps: string[];
  passes: boolean;
}

export interface FeatureSnapshot {
  iteration: number;
  total: number;
  passing: number;
  features: Feature[];
  createdAt?: string;
}

/** One agent session, as the workflow recorded it when the session ended. */
export interface IterationRecord {
  iteration: number;
  kind: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
  turns: number;
  stopReason: string;
  featuresPassing: number;
  featuresTotal: number;
  /** Null for sessions recorded before these were kept. */
  featuresPassingBefore?: number | null;
  durationMs?: number | null;
  createdAt: string;
}

export interface BuildEvent {
  seq: number;
  at: string;
  type: string;
  iteration: number;
  data: Record<string, unknown>;
}

export interface EventPage {
  events: BuildEvent[];
  nextAfter: number;
}

export interface WorkspaceEntry {
  name: string;
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink';
  sizeBytes: number | null;
  modifiedAt: string | null;
  target?: string;
}

export interface FolderListing {
  source: { kind: 'artifact' | 'checkpoint'; iteration: number | null; createdAt: string; fileCount: number | null };
  path: string;
  entries: WorkspaceEntry[];
  truncated: boolean;
}

export interface BuildOptionsInput {
  model?: string;
  maxIterations?: number;
  maxCostUsd?: number;
  maxHours?: number;
  stallLimit?: number;
}

export interface NewBuildInput {
  spec?: string;
  specId?: string;
  name?: string;
  projectId?: string;
  options?: BuildOptionsInput;
}

export interface SpecSummary {
  id: string;
  name: string;
  sizeBytes: number;
  lineCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface Spec extends SpecSummary {
  content: string;
}

export interface Project {
  id: string;
  name: string;
  description: string | null;
  buildCount?: number;
  createdAt: string;
  updatedAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedApiToken extends ApiToken {
  token: string;
}
