import type { BuildWithArtifact } from '../db/builds.ts';
import { limitsOf } from './build-workflows.ts';

export interface BuildViewSettings {
  namespace: string;
  temporalUiUrl: string;
}

/** The API's build resource (DESIGN.md): camelCase, nested, with links a client can follow. */
export function toBuildView(b: BuildWithArtifact, s: BuildViewSettings) {
  const workflowUrl = `${s.temporalUiUrl}/namespaces/${encodeURIComponent(s.namespace)}/workflows/${encodeURIComponent(b.workflow_id)}`;
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    phase: b.phase,
    iteration: b.iteration,
    features: { total: b.features_total, passing: b.features_passing },
    usage: { inputTokens: b.input_tokens, outputTokens: b.output_tokens, costUsd: Math.round(b.cost_usd * 1e6) / 1e6 },
    limits: limitsOf(b),
    model: b.options.model,
    specId: b.spec_id,
    projectId: b.project_id,
    error: b.error,
    artifact:
      b.artifact_sha256 && b.artifact_created_at
        ? {
            sizeBytes: b.artifact_size,
            sha256: b.artifact_sha256,
            fileCount: b.artifact_file_count,
            createdAt: b.artifact_created_at.toISOString(),
            url: `/api/builds/${b.id}/artifact?format=tar.gz`,
            zipUrl: `/api/builds/${b.id}/artifact?format=zip`,
          }
        : null,
    createdAt: b.created_at.toISOString(),
    startedAt: b.started_at?.toISOString() ?? null,
    finishedAt: b.finished_at?.toISOString() ?? null,
    updatedAt: b.updated_at.toISOString(),
    workflow: { id: b.workflow_id, runId: b.workflow_run_id, temporalUiUrl: b.workflow_run_id ? `${workflowUrl}/${b.workflow_run_id}` : workflowUrl },
  };
}

export type BuildView = ReturnType<typeof toBuildView>;
