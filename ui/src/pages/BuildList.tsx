import { useCallback, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { listBuilds } from '../builds.ts';
import { BuildTable } from '../components/BuildTable.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { capitalize } from '../format.ts';
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
      <PageHeader
        title="Builds"
        actions={
          <Link className="button" to="/builds/new">
            New build
          </Link>
        }
      />
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
        <div className="card">
          <EmptyState
            title={status ? `No ${status} builds` : 'No builds yet'}
            action={
              <Link className="button" to="/builds/new">
                New build
              </Link>
            }
          >
            {status ? 'Try another status filter, or start a new build.' : 'Describe an app and an agent will build it for you.'}
          </EmptyState>
        </div>
      </>
    );
  }

  return (
    <>
      {errorNotice}
      <BuildTable builds={data.items} caption={`Your builds${status ? ` with status ${status}` : ''}`} />
      <p className="list-footer muted" aria-live="polite">
        Showing {data.items.length} {data.items.length === 1 ? 'build' : 'builds'}
        {data.nextCursor ? '; older builds load below.' : '.'}
      </p>
      {data.nextCursor && (
        <div className="load-more">
          <button type="button" className="button button--secondary" disabled={loadingMore} onClick={() => setPageCount((count) => count + 1)}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
