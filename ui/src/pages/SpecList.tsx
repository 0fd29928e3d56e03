import { useCallback, useState } from 'react';
import { Link } from 'react-router';
import { EmptyState } from '../components/EmptyState.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Loading } from '../components/Loading.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatBytes, formatDateTime, formatNumber } from '../format.ts';
import { listSpecs } from '../specs.ts';
import type { SpecSummary } from '../types.ts';
import { usePolling } from '../usePolling.ts';

export function SpecList() {
  const [pageCount, setPageCount] = useState(1);
  const fetchPages = useCallback(
    async (signal: AbortSignal) => {
      const items: SpecSummary[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < pageCount; page += 1) {
        const result = await listSpecs({ cursor }, signal);
        items.push(...result.items);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return { items, nextCursor: cursor, pageCount };
    },
    [pageCount],
  );
  // Specs change only when you change them: read once per visit (and per "Load more").
  const { data, error, isFetching, refresh } = usePolling(fetchPages, 0, false);
  const loadingMore = isFetching && data !== undefined && data.pageCount < pageCount;

  return (
    <>
      <title>Specs · Autonomous Agents</title>
      <PageHeader
        title="Specs"
        subtitle="Saved app specs, ready to build again."
        actions={
          <Link className="button" to="/specs/new">
            New spec
          </Link>
        }
      />
      {error !== null && <ErrorNotice error={error} title="Could not load specs" onRetry={refresh} />}
      {!data ? (
        !error && <Loading label="Loading specs…" />
      ) : data.items.length === 0 ? (
        <div className="card">
          <EmptyState
            title="No specs yet"
            action={
              <Link className="button" to="/specs/new">
                Write a spec
              </Link>
            }
          >
            Write or upload an app spec once, then build it whenever you like.
          </EmptyState>
        </div>
      ) : (
        <>
          <div className="table-card">
            <table className="data-table data-table--cards">
              <caption className="visually-hidden">Your saved specs</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="numeric">
                    Size
                  </th>
                  <th scope="col" className="numeric">
                    Lines
                  </th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((spec) => (
                  <tr key={spec.id} data-testid="spec-row">
                    <td data-label="Name" className="data-table__name">
                      <Link to={`/specs/${encodeURIComponent(spec.id)}`}>{spec.name}</Link>
                    </td>
                    <td data-label="Size" className="numeric">
                      {formatBytes(spec.sizeBytes)}
                    </td>
                    <td data-label="Lines" className="numeric">
                      {formatNumber(spec.lineCount)}
                    </td>
                    <td data-label="Updated">
                      <time dateTime={spec.updatedAt}>{formatDateTime(spec.updatedAt)}</time>
                    </td>
                    <td data-label="" className="data-table__actions">
                      <Link to={`/builds/new?specId=${encodeURIComponent(spec.id)}`} aria-label={`Build ${spec.name}`}>
                        Build
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.nextCursor && (
            <div className="load-more">
              <button type="button" className="button button--secondary" disabled={loadingMore} onClick={() => setPageCount((n) => n + 1)}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}
