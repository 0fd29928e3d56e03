import { useCallback } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api.ts';
import { artifactDownloadUrl, getBuild, getFeatures } from '../builds.ts';
import { BuildFacts } from '../components/BuildFacts.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { FeatureChecklist } from '../components/FeatureChecklist.tsx';
import { Loading } from '../components/Loading.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { capitalize } from '../format.ts';
import { isActiveStatus, type Build, type FeatureSnapshot } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const DETAIL_POLL_MS = 2000;

interface BuildView {
  build: Build;
  snapshot: FeatureSnapshot | null;
}

export function BuildDetail() {
  const { id = '' } = useParams();

  // The build first, then its features: the poll that first sees a finished
  // build also brings the feature list as it was at the end.
  const fetchView = useCallback(
    async (signal: AbortSignal): Promise<BuildView> => {
      const build = await getBuild(id, signal);
      const snapshot = await getFeatures(id, signal);
      return { build, snapshot };
    },
    [id],
  );
  const { data, error, refresh } = usePolling(fetchView, DETAIL_POLL_MS, (latest) => isActiveStatus(latest.build.status));
  const view = data?.build.id === id ? data : undefined;

  if (error instanceof ApiError && error.status === 404) {
    return (
      <div className="empty card">
        <title>Build not found · Autonomous Agents</title>
        <h1>Build not found</h1>
        <p className="muted">It does not exist, or it belongs to another account.</p>
        <Link className="button" to="/">
          Back to builds
        </Link>
      </div>
    );
  }
  const errorNotice = error !== null && <ErrorNotice error={error} title="Could not refresh this build" onRetry={refresh} />;
  if (!view) return errorNotice || <Loading label="Loading build…" />;

  const { build, snapshot } = view;
  const displayName = build.name || 'Untitled build';
  return (
    <article className="build-detail" aria-labelledby="build-title">
      <title>{`${displayName} · Autonomous Agents`}</title>
      <Link to="/" className="back-link">
        ← All builds
      </Link>
      <header className="build-header">
        <h1 id="build-title">{displayName}</h1>
        <div className="build-header__meta">
          <StatusBadge status={build.status} />
          {build.phase && (
            <span className="phase" data-testid="build-phase">
              Phase: {capitalize(build.phase)}
            </span>
          )}
        </div>
      </header>

      {errorNotice}

      {build.error && (
        <div className="notice notice--error" role="alert" data-testid="build-error">
          <div>
            <p className="notice__title">The build stopped with an error</p>
            <p className="notice__body">{build.error.message}</p>
            <p className="notice__code">Code: {build.error.code}</p>
          </div>
        </div>
      )}

      <section className="card" aria-label="Progress">
        <h2 className="card__title">Features passing</h2>
        <ProgressBar passing={build.features.passing} total={build.features.total} label="Features passing" size="large" />
        <BuildFacts build={build} />
        <div className="build-links">
          {build.artifact && (
            <a className="button" href={artifactDownloadUrl(build.id)} download>
              Download workspace (.tar.gz)
            </a>
          )}
          <a className="button button--secondary" href={build.workflow.temporalUiUrl} target="_blank" rel="noreferrer">
            Open in Temporal Web UI
          </a>
        </div>
      </section>

      <section className="card" aria-labelledby="features-title">
        <h2 id="features-title" className="card__title">
          Feature checklist
          {snapshot && <span className="card__subtitle"> as of iteration {snapshot.iteration}</span>}
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
    </article>
  );
}
