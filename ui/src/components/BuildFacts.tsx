import { formatBytes, formatCost, formatDateTime, formatDuration, formatTokens } from '../format.ts';
import type { Build } from '../types.ts';

/** The numbers behind a build: iteration, tokens, cost, model and timings. */
export function BuildFacts({ build }: { build: Build }) {
  const { usage, limits } = build;
  return (
    <dl className="facts">
      <div className="facts__item">
        <dt>Iteration</dt>
        <dd data-testid="build-iteration">
          {build.iteration}
          {limits.maxIterations ? <span className="muted"> of {limits.maxIterations}</span> : null}
        </dd>
      </div>
      <div className="facts__item">
        <dt>Tokens</dt>
        <dd>
          {formatTokens(usage.inputTokens)} in · {formatTokens(usage.outputTokens)} out
        </dd>
      </div>
      <div className="facts__item">
        <dt>Cost</dt>
        <dd data-testid="build-cost">
          {formatCost(usage.costUsd)}
          {limits.maxCostUsd ? <span className="muted"> of {formatCost(limits.maxCostUsd)}</span> : null}
        </dd>
      </div>
      <div className="facts__item">
        <dt>Model</dt>
        <dd className="facts__model">{build.model ?? 'Default'}</dd>
      </div>
      <div className="facts__item">
        <dt>Created</dt>
        <dd>
          <time dateTime={build.createdAt}>{formatDateTime(build.createdAt)}</time>
        </dd>
      </div>
      <div className="facts__item">
        <dt>Duration</dt>
        <dd>{build.startedAt ? formatDuration(build.startedAt, build.finishedAt) : 'Not started'}</dd>
      </div>
      {build.artifact && (
        <div className="facts__item">
          <dt>Workspace archive</dt>
          <dd>
            {formatBytes(build.artifact.sizeBytes)}
            <span className="muted facts__hash" title={`SHA-256 ${build.artifact.sha256}`}>
              {' '}
              · sha256 {build.artifact.sha256.slice(0, 12)}
            </span>
          </dd>
        </div>
      )}
    </dl>
  );
}
