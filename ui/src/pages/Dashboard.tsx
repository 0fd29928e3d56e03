import { useCallback, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { getBuildStats, createBuild, listBuilds } from '../builds.ts';
import { BuildTable } from '../components/BuildTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { SpecMeta } from '../components/SpecMeta.tsx';
import { errorMessage } from '../api.ts';
import { formatCost, formatRelative } from '../format.ts';
import { listSpecs } from '../specs.ts';
import { isActiveStatus, type Build, type BuildStats, type SpecSummary } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const DASHBOARD_POLL_MS = 5000;
const RECENT_COUNT = 5;

interface Overview {
  stats: BuildStats;
  builds: Build[];
  specs: SpecSummary[];
}

/** One glance: what runs, what finished, what it cost this week, and the way back into recent work. */
export function Dashboard() {
  const fetchOverview = useCallback(async (signal: AbortSignal): Promise<Overview> => {
    const [stats, builds, specs] = await Promise.all([
      getBuildStats(signal),
      listBuilds({ limit: RECENT_COUNT }, signal),
      listSpecs({ limit: RECENT_COUNT }, signal),
    ]);
    return { stats, builds: builds.items, specs: specs.items };
  }, []);
  // Counts move only while something runs; a quiet account is read once.
  const { data, error, refresh } = usePolling(fetchOverview, DASHBOARD_POLL_MS, (latest) => latest.builds.some((b) => isActiveStatus(b.status)) || activeCount(latest.stats) > 0);

  return (
    <>
      <title>Dashboard · Autonomous Agents</title>
      <PageHeader
        title="Dashboard"
        subtitle="Your builds at a glance."
        actions={
          <Link className="button" to="/builds/new">
            New build
          </Link>
        }
      />
      {error !== null && <ErrorNotice error={error} title="Could not load the dashboard" onRetry={refresh} />}
      {!data ? (
        !error && <Loading label="Loading your dashboard…" />
      ) : (
        <>
          <StatCards stats={data.stats} />
          <div className="dashboard-grid">
            <section className="card dashboard-grid__wide" aria-labelledby="recent-builds-title">
              <div className="card__header">
                <h2 id="recent-builds-title" className="card__title">
                  Recent builds
                </h2>
                <Link to="/builds">All builds</Link>
              </div>
              {data.builds.length > 0 ? (
                <BuildTable builds={data.builds} caption="Your most recent builds" />
              ) : (
                <EmptyState title="No builds yet" headingLevel={3}>
                  Start one from a saved spec or paste a new one.
                </EmptyState>
              )}
            </section>
            <BuildLastSpec spec={data.specs[0]} />
            <section className="card" aria-labelledby="recent-specs-title">
              <div className="card__header">
                <h2 id="recent-specs-title" className="card__title">
                  Recent specs
                </h2>
                <Link to="/specs">All specs</Link>
              </div>
              {data.specs.length > 0 ? (
                <ul className="link-list">
                  {data.specs.map((spec) => (
                    <li key={spec.id} data-testid="recent-spec">
                      <Link to={`/specs/${encodeURIComponent(spec.id)}`}>{spec.name}</Link>
                      <SpecMeta spec={spec} extra={`updated ${formatRelative(spec.updatedAt)}`} />
                    </li>
                  ))}
                </ul>
              ) : (
                <EmptyState title="No saved specs" headingLevel={3} action={<Link to="/specs/new">Write a spec</Link>}>
                  Save an app spec to build it, and build it again, in one click.
                </EmptyState>
              )}
            </section>
          </div>
        </>
      )}
    </>
  );
}

function activeCount(stats: BuildStats): number {
  return (stats.byStatus.queued ?? 0) + (stats.byStatus.running ?? 0) + (stats.byStatus.paused ?? 0);
}

function StatCards({ stats }: { stats: BuildStats }) {
  const { byStatus, thisWeek } = stats;
  const cards = [
    { label: 'Running', value: (byStatus.running ?? 0) + (byStatus.queued ?? 0), note: byStatus.queued ? `${byStatus.queued} queued` : 'now', to: '/builds?status=running', testId: 'stat-running' },
    { label: 'Paused', value: byStatus.paused ?? 0, note: 'waiting for you', to: '/builds?status=paused', testId: 'stat-paused' },
    { label: 'Completed', value: byStatus.completed ?? 0, note: 'all time', to: '/builds?status=completed', testId: 'stat-completed' },
    { label: 'Failed', value: byStatus.failed ?? 0, note: 'resumable', to: '/builds?status=failed', testId: 'stat-failed' },
  ];
  return (
    <section aria-label="Build counts" className="stats">
      {cards.map((card) => (
        <Link key={card.label} to={card.to} className="stat card" data-testid={card.testId}>
          <span className="stat__label">{card.label}</span>
          <span className="stat__value">{card.value}</span>
          <span className="stat__note">{card.note}</span>
        </Link>
      ))}
      <div className="stat card stat--week" data-testid="stat-week">
        <span className="stat__label">This week</span>
        <span className="stat__value">{thisWeek.started}</span>
        <span className="stat__note">
          started · {thisWeek.completed} completed · {formatCost(thisWeek.costUsd)}
        </span>
      </div>
    </section>
  );
}

/** Builds the most recently saved spec again with the server's default options. */
function BuildLastSpec({ spec }: { spec: SpecSummary | undefined }) {
  const navigate = useNavigate();
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function start() {
    if (!spec) return;
    setStarting(true);
    setError(null);
    try {
      const build = await createBuild({ specId: spec.id });
      await navigate(`/builds/${encodeURIComponent(build.id)}`);
    } catch (failure) {
      setError(failure);
      setStarting(false);
    }
  }

  return (
    <section className="card quick-build" aria-labelledby="quick-build-title">
      <h2 id="quick-build-title" className="card__title">
        Build last spec
      </h2>
      {spec ? (
        <>
          <p className="quick-build__spec">
            <Link to={`/specs/${encodeURIComponent(spec.id)}`}>{spec.name}</Link>
            <SpecMeta spec={spec} />
          </p>
          {error !== null && (
            <div className="notice notice--error" role="alert">
              <p className="notice__body">{errorMessage(error)}</p>
            </div>
          )}
          <div className="form__actions">
            <button type="button" className="button" onClick={start} disabled={starting}>
              {starting ? 'Starting build…' : 'Build last spec'}
            </button>
            <Link className="button button--secondary" to={`/builds/new?specId=${encodeURIComponent(spec.id)}`}>
              Choose options
            </Link>
          </div>
        </>
      ) : (
        <p className="muted">
          Your most recent spec appears here once you save one. <Link to="/specs/new">Write a spec</Link>
        </p>
      )}
    </section>
  );
}
