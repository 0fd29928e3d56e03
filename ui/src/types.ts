// Shapes returned by the platform's HTTP API (see the API contract in the README).

export interface User {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
}

export const BUILD_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** Builds in these states can still change, so pages keep polling them. */
export function isActiveStatus(status: BuildStatus): boolean {
  return status === 'queued' || status === 'running' || status === 'paused';
}

export interface Build {
  id: string;
  name: string;
  status: BuildStatus;
  phase: string | null;
  iteration: number;
  features: { total: number; passing: number };
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  limits: { maxIterations: number | null; maxCostUsd: number | null };
  model: string | null;
  error: { code: string; message: string } | null;
  artifact: { sizeBytes: number; sha256: string; createdAt: string; url: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  workflow: { id: string; runId: string | null; temporalUiUrl: string };
}

export interface BuildPage {
  items: Build[];
  nextCursor: string | null;
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
}

export interface NewBuildInput {
  spec: string;
  name?: string;
  options?: { model?: string; maxIterations?: number; maxCostUsd?: number };
}
