import type { ReactNode } from 'react';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { formatCost, formatDateTime, formatDuration, formatShortDateTime, formatSpan, formatTokens } from '../format.ts';
import type { Build, IterationRecord } from '../types.ts';
import { estimateCompletion, type Estimate } from './eta.ts';

/** Where the build stands: features passing, what it has used, how long it has run and how long it still needs. */
export function ProgressPanel({ build, iterations, now }: { build: Build; iterations: IterationRecord[] | null; now: number }) {
  const { usage, limits, features } = build;
  const percent = features.total > 0 ? Math.round((features.passing / features.total) * 100) : 0;
  const cacheRead = iterations?.reduce((sum, r) => sum + r.cacheReadInputTokens, 0) ?? 0;
  const estimate = estimateCompletion(build, iterations, now);
  return (
    <section className="card progress-panel" aria-labelledby="progress-title">
      <h2 id="progress-title" className="card__title">
        Progress
      </h2>
      <ProgressBar passing={features.passing} total={features.total} label="Features passing" size="large" />
      <p className="progress-panel__caption muted">
        {features.total > 0 ? `${percent}% of ${features.total} features pass` : 'The feature list is written by the first session.'}
      </p>
      <dl className="facts">
        <Fact label="Iteration" testId="build-iteration">
          {build.iteration}
          {limits.maxIterations ? <span className="muted"> of {limits.maxIterations}</span> : null}
        </Fact>
        <Fact label="Cost" testId="build-cost">
          {formatCost(usage.costUsd)}
          {limits.maxCostUsd ? <span className="muted"> of {formatCost(limits.maxCostUsd)}</span> : null}
        </Fact>
        <Fact label="Tokens" testId="build-tokens">
          {formatTokens(usage.inputTokens)} in · {formatTokens(usage.outputTokens)} out
          {cacheRead > 0 && <span className="muted fact__sub">{formatTokens(cacheRead)} read from cache</span>}
        </Fact>
        <Fact label="Elapsed" testId="build-elapsed">
          {build.startedAt ? formatDuration(build.startedAt, build.finishedAt, now) : 'Not started'}
        </Fact>
        <Fact label={build.status === 'completed' ? 'Finished' : 'Estimated finish'} testId="build-eta">
          <EstimateText estimate={estimate} build={build} />
        </Fact>
        <Fact label="Model">
          <span className="facts__model">{build.model ?? 'Default'}</span>
        </Fact>
        <Fact label="Created">
          <time dateTime={build.createdAt}>{formatDateTime(build.createdAt)}</time>
        </Fact>
        {limits.deadline && (
          <Fact label="Deadline">
            <time dateTime={limits.deadline}>{formatDateTime(limits.deadline)}</time>
          </Fact>
        )}
      </dl>
    </section>
  );
}

function Fact({ label, testId, children }: { label: string; testId?: string; children: ReactNode }) {
  return (
    <div className="facts__item">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function EstimateText({ estimate, build }: { estimate: Estimate; build: Build }) {
  switch (estimate.kind) {
    case 'finished':
      return build.finishedAt ? <time dateTime={build.finishedAt}>{formatDateTime(build.finishedAt)}</time> : <>—</>;
    case 'paused':
      return <span className="muted">On hold while paused</span>;
    case 'waiting':
      return <span className="muted">Estimated {estimate.reason}</span>;
    case 'estimate':
      return (
        <>
          in about {formatSpan(estimate.remainingMs)}
          <span className="muted fact__sub">
            ~{formatShortDateTime(estimate.finishAt)}, {estimate.sessionsLeft} more {estimate.sessionsLeft === 1 ? 'session' : 'sessions'}, ~{formatCost(estimate.projectedCostUsd)} in all
          </span>
          {estimate.limitFirst && (
            <span className="fact__warning">
              At this pace the {estimate.limitFirst === 'iterations' ? 'iteration limit' : 'cost budget'} is reached first; the build will pause there.
            </span>
          )}
        </>
      );
  }
}
