import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { BuildWithArtifact } from '../db/builds.ts';
import { BuildIdKey, BuildOwnerKey, BuildStatusKey } from '../workflows/search-attributes.ts';
import type { BuildInput, BuildLimits, CarriedState } from '../workflows/types.ts';

export interface WorkflowSettings {
  taskQueue: string;
  heartbeatTimeoutSeconds: number;
  continueAsNewEvery: number;
  sessionRetry: { maximumAttempts: number; initialIntervalSeconds: number };
}

export function limitsOf(build: Pick<BuildWithArtifact, 'options'>): BuildLimits {
  const o = build.options;
  return { maxIterations: o.maxIterations, maxCostUsd: o.maxCostUsd, deadline: o.deadline, stallLimit: o.stallLimit };
}

/**
 * Starts a run of `build-<id>`: the first one, or a new run of a failed or cancelled build
 * that continues from `carried` (its last checkpoint). Returns the new run's id.
 */
export async function startBuildWorkflow(temporal: Client, s: WorkflowSettings, build: BuildWithArtifact, carried?: CarriedState): Promise<string> {
  const input: BuildInput = {
    buildId: build.id,
    ownerId: build.owner_id,
    model: build.options.model,
    limits: limitsOf(build),
    heartbeatTimeoutSeconds: s.heartbeatTimeoutSeconds,
    continueAsNewEvery: s.continueAsNewEvery,
    sessionRetry: s.sessionRetry,
    ...(carried && { carried }),
  };
  const handle = await temporal.workflow.start('buildApp', {
    workflowId: build.workflow_id,
    taskQueue: s.taskQueue,
    args: [input],
    // A closed run (failed, cancelled) may be followed by a new one; a running one may not.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: [
      { key: BuildIdKey, value: build.id },
      { key: BuildOwnerKey, value: build.owner_id },
      { key: BuildStatusKey, value: 'queued' },
    ],
  });
  return handle.firstExecutionRunId;
}
