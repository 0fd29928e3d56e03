import { lazy, Suspense, useState } from 'react';
import { Link, useParams } from 'react-router';
import { isNotFound } from '../api.ts';
import { BuildControls, type ControlRequest } from '../build-detail/BuildControls.tsx';
import { CurrentActivity } from '../build-detail/CurrentActivity.tsx';
import { EventLog } from '../build-detail/EventLog.tsx';
import { IterationsTable } from '../build-detail/IterationsTable.tsx';
import { ProgressPanel } from '../build-detail/ProgressPanel.tsx';
import { useBuildWatch } from '../build-detail/useBuildWatch.ts';
import { WorkspacePanel } from '../build-detail/WorkspacePanel.tsx';
import '../build-detail/build-detail.css';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { FeatureChecklist } from '../components/FeatureChecklist.tsx';
import { Loading } from '../components/Loading.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { capitalize, formatRelative } from '../format.ts';
import { isActiveStatus, type Build, type BuildStatus, type FeatureSnapshot, type IterationRecord } from '../types.ts';
import { useNow } from '../useNow.ts';

// The chart library is the biggest dependency: it loads after the rest of the page is on screen.
const BurnUpChart = lazy(() => import('../build-detail/BurnUpChart.tsx'));

/** The build page: everything about one build, kept current while it runs. Loaded on demand (see router.tsx). */
export function BuildDetail() {
  const { id = '' } = useParams();
  // Keyed by id: another build starts from a clean slate (cursor, cached answers).
  return <BuildDetailView key={id} id={id} />;
}

interface Pending {
  request: ControlRequest;
  at: number;
}

/** Until the build's status reflects an accepted request, the page says it is on its way. */
function isSettled(request: ControlRequest, status: BuildStatus): boolean {
  switch (request) {
    case 'pause':
      return status !== 'running' && status !== 'queued';
    case 'resume':
      return status !== 'paused';
    case 'restart':
      return status !== 'failed' && status !== 'cancelled';
    case 'cancel':
      return !isActiveStatus(status);
  }
}

const PENDING_TEXT: Record<ControlRequest, string> = {
  pause: 'Pause requested. The agent stops at its next safe point and the workspace is checkpointed.',
  resume: 'Resume requested. The agent picks up where it paused.',
  restart: 'Starting a new run from the last checkpoint…',
  cancel: 'Cancel requested. The workspace is being saved and the sandbox removed.',
};

function BuildDetailView({ id }: { id: string }) {
  const { data, error, refresh } = useBuildWatch(id);
  const [pending, setPending] = useState<Pending | null>(null);
  const active = data ? isActiveStatus(data.build.status) : false;
  const now = useNow(1000, active);

  if (isNotFound(error) && !data) {
    return (
      <div className="card">
        <title>Build not found · Autonomous Agents</title>
        <EmptyState
          title="Build not found"
          action={
            <Link className="button" to="/builds">
              Back to builds
            </Link>
          }
        >
          It does not exist, or it belongs to another account.
        </EmptyState>
      </div>
    );
  }
  const errorNotice = error !== null && <ErrorNotice error={error} title="Could not refresh this build" onRetry={refresh} />;
  if (!data) return errorNotice || <Loading label="Loading build…" />;

  const { build, features, iterations, events } = data;
  const displayName = build.name || 'Untitled build';
  const showPending = pending !== null && !isSettled(pending.request, build.status);

  function accepted(request: ControlRequest) {
    setPending({ request, at: Date.now() });
    // Polling may have stopped (a finished build that is resumed): start it again now.
    refresh();
  }

  return (
    <article className="build-detail" aria-labelledby="build-title">
      <title>{`${capitalize(build.status)} · ${displayName} · Autonomous Agents`}</title>
      <Link to="/builds" className="back-link">
        ← All builds
      </Link>
      <header className="build-header">
        <div className="build-header__main">
          <h1 id="build-title">{displayName}</h1>
          <div className="build-header__meta">
            <StatusBadge status={build.status} />
            {build.phase && build.status === 'running' && (
              <span className="phase" data-testid="build-phase">
                {capitalize(build.phase)}
              </span>
            )}
            <span className="muted">
              {build.startedAt ? `started ${formatRelative(build.startedAt, now)}` : `created ${formatRelative(build.createdAt, now)}`}
              {build.specId && (
                <>
                  {' '}
                  · <Link to={`/specs/${encodeURIComponent(build.specId)}`}>spec</Link>
                </>
              )}
              {build.projectId && (
                <>
                  {' '}
                  · <Link to={`/projects/${encodeURIComponent(build.projectId)}`}>project</Link>
                </>
              )}
            </span>
          </div>
        </div>
        <div className="build-header__actions">
          <BuildControls build={build} onAccepted={accepted} />
          <a className="button button--ghost" href={build.workflow.temporalUiUrl} target="_blank" rel="noreferrer" data-testid="temporal-link">
            Temporal Web UI <span aria-hidden="true">↗</span>
            <span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        </div>
      </header>
      {/* Announces status changes to screen readers; the badge above shows them. */}
      <p className="visually-hidden" role="status">
        Build status: {build.status}
      </p>

      {errorNotice}
      {showPending && (
        <div className="notice notice--info" role="status" data-testid="pending-action">
          <span className="spinner" aria-hidden="true" />
          <p className="notice__body">{PENDING_TEXT[pending.request]}</p>
        </div>
      )}
      <BuildProblem build={build} />

      <CurrentActivity build={build} events={events} now={now} />
      <div className="detail-grid">
        <ProgressPanel build={build} iterations={iterations} now={now} />
        <ChartCard build={build} iterations={iterations} now={now} />
      </div>
      <div className="detail-grid detail-grid--even">
        <ChecklistCard build={build} snapshot={features} />
        <EventLog events={events} droppedEvents={data.droppedEvents} catchingUp={data.catchingUp} live={active} />
      </div>
      <IterationsTable iterations={iterations} live={active} />
      <WorkspacePanel build={build} />
    </article>
  );
}

/** Why a build stopped or waits: a limit it reached (paused) or the error it failed with. */
function BuildProblem({ build }: { build: Build }) {
  if (!build.error) return null;
  const paused = build.status === 'paused';
  return (
    <div className={`notice ${paused ? 'notice--warning' : 'notice--error'}`} role={paused ? 'status' : 'alert'} data-testid="build-error">
      <div>
        <p className="notice__title">{paused ? 'The build paused by itself' : build.status === 'failed' ? 'The build failed' : 'The build reported a problem'}</p>
        <p className="notice__body">{build.error.message}</p>
        <p className="notice__code">
          Code: {build.error.code}
          {paused ? ' · Resume it, raising the limit it reached.' : build.status === 'failed' ? ' · Resume it from its last checkpoint once the cause is fixed.' : ''}
        </p>
      </div>
    </div>
  );
}

function ChartCard({ build, iterations, now }: { build: Build; iterations: IterationRecord[] | null; now: number }) {
  // The "now" end of the chart moves in steps, not every second.
  const chartNow = Math.floor(now / 10_000) * 10_000;
  const last = iterations?.length ? [...iterations].sort((a, b) => b.iteration - a.iteration)[0] : undefined;
  return (
    <section className="card" aria-labelledby="chart-title">
      <h2 id="chart-title" className="card__title">
        Features over time
      </h2>
      {iterations === null ? (
        <p className="muted">Session records are not available, so there is nothing to chart.</p>
      ) : iterations.length === 0 ? (
        <p className="muted chart-empty">The chart starts when the first session ends.</p>
      ) : (
        <figure className="chart-figure">
          <Suspense fallback={<Loading label="Loading chart…" />}>
            <BurnUpChart build={build} iterations={iterations} now={chartNow} />
          </Suspense>
          <figcaption className="chart-legend">
            <span className="chart-legend__item chart-legend__item--passing">Passing</span>
            <span className="chart-legend__item chart-legend__item--total">Total features</span>
            <span className="visually-hidden">
              Features passing after each session: {[...iterations].sort((a, b) => a.iteration - b.iteration).map((r) => `session ${r.iteration}, ${r.featuresPassing} of ${r.featuresTotal}`).join('; ')}.
            </span>
            {last && (
              <span className="muted chart-legend__summary">
                {last.featuresPassing} of {last.featuresTotal} after session {last.iteration}
              </span>
            )}
          </figcaption>
        </figure>
      )}
    </section>
  );
}

function ChecklistCard({ build, snapshot }: { build: Build; snapshot: FeatureSnapshot | null }) {
  return (
    <section className="card" aria-labelledby="features-title">
      <h2 id="features-title" className="card__title">
        Feature checklist
        {snapshot && <span className="card__subtitle"> as of session {snapshot.iteration}</span>}
      </h2>
      {snapshot && snapshot.features.length > 0 ? (
        <FeatureChecklist features={snapshot.features} />
      ) : (
        <p className="muted">
          {isActiveStatus(build.status)
            ? 'The feature list appears here once the first agent session has planned it from the app spec.'
            : 'This build finished without a feature list.'}
        </p>
      )}
    </section>
  );
}
