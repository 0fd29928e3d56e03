import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { listBuilds } from '../builds.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { capitalize, formatCost, formatDateTime } from '../format.ts';
import { BUILD_STATUSES, isActiveStatus, type Build, type BuildStatus } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const LIST_POLL_MS = 5000;

function parseStatus(value: string | null): BuildStatus | undefined {
  return BUILD_STATUSES.find((status) => status === value);
}

export function BuildList() {
  const [searchParams, setSearchParams] = useSearchParams();
  const status = parseStatus(searchParams.get('status'));

  function changeStatus(value: string) {
    setSearchParams(value ? { status: value } : {}, { replace: true });
  }

  return (
    <>
      <title>Builds · Autonomous Agents</title>
      <div className="page-header">
        <h1>Builds</h1>
        <Link className="button" to="/builds/new">
          New build
        </Link>
      </div>
      <div className="toolbar">
        <label htmlFor="status-filter">Status</label>
        <select id="status-filter" value={status ?? ''} onChange={(e) => changeStatus(e.target.value)}>
          <option value="">All builds</option>
          {BUILD_STATUSES.map((value) => (
            <option key={value} value={value}>
              {capitalize(value)}
            </option>
          ))}
        </select>
      </div>
      {/* Keyed by the filter so switching it starts again from the first page. */}
      <BuildResults key={status ?? 'all'} status={status} />
    </>
  );
}

function BuildResults({ status }: { status: BuildStatus | undefined }) {
  const [pageCount, setPageCount] = useState(1);

  // Polling re-reads every page shown so far, following the cursors from the
  // top, so new builds and status changes anywhere in the list appear.
  const fetchPages = useCallback(
    async (signal: AbortSignal) => {
      const items: Build[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < pageCount; page += 1) {
        const result = await listBuilds({ status, cursor }, signal);
        items.push(...result.items);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      const seen = new Set<string>();
      const unique = items.filter((build) => !seen.has(build.id) && seen.add(build.id));
      return { items: unique, nextCursor: cursor, pageCount };
    },
    [status, pageCount],
  );

  const { data, error, isFetching, refresh } = usePolling(fetchPages, LIST_POLL_MS, (latest) =>
    latest.items.some((build) => isActiveStatus(build.status)),
  );

  const errorNotice = error !== null && <ErrorNotice error={error} title="Could not load builds" onRetry={refresh} />;
  if (!data) return errorNotice || <Loading label="Loading builds…" />;
  const loadingMore = isFetching && data.pageCount < pageCount;

  if (data.items.length === 0) {
    return (
      <>
        {errorNotice}
        <div className="empty card">
          <h2>{status ? `No ${status} builds` : 'No builds yet'}</h2>
          <p className="muted">
            {status ? 'Try another status filter, or start a new build.' : 'Describe an app and an agent will build it for you.'}
          </p>
          <Link className="button" to="/builds/new">
            New build
          </Link>
        </div>
      </>
    );
  }

  return (
    <>
      {errorNotice}
      <div className="card table-card">
        <table className="builds-table">
          <caption className="visually-hidden">Your builds{status ? ` with status ${status}` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Phase</th>
              <th scope="col">Features</th>
              <th scope="col" className="numeric">Cost</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((build) => (
              <BuildRow key={build.id} build={build} />
            ))}
          </tbody>
        </table>
      </div>
      {data.nextCursor && (
        <div className="load-more">
          <button
            type="button"
            className="button button--secondary"
            disabled={loadingMore}
            onClick={() => setPageCount((count) => count + 1)}
          >
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}

function BuildRow({ build }: { build: Build }) {
  return (
    <tr data-testid="build-row" data-build-id={build.id}>
      <td data-label="Name" className="builds-table__name">
        <Link to={`/builds/${encodeURIComponent(build.id)}`}>{build.name || 'Untitled build'}</Link>
      </td>
      <td data-label="Status">
        <StatusBadge status={build.status} />
      </td>
      <td data-label="Phase">{build.phase ? capitalize(build.phase) : '—'}</td>
      <td data-label="Features">
        <ProgressBar passing={build.features.passing} total={build.features.total} label={`Features passing for ${build.name}`} />
      </td>
      <td data-label="Cost" className="numeric">
        {formatCost(build.usage.costUsd)}
      </td>
      <td data-label="Created">
        <time dateTime={build.createdAt}>{formatDateTime(build.createdAt)}</time>
      </td>
    </tr>
  );
}
