import { Link } from 'react-router';
import { capitalize, formatCost, formatDateTime } from '../format.ts';
import type { Build } from '../types.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { StatusBadge } from './StatusBadge.tsx';

/** Builds as a table on wide screens and one card per build on a phone (see styles.css). */
export function BuildTable({ builds, caption }: { builds: Build[]; caption: string }) {
  return (
    <div className="table-card">
      <table className="data-table data-table--cards">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Phase</th>
            <th scope="col">Features</th>
            <th scope="col" className="numeric">
              Cost
            </th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {builds.map((build) => (
            <tr key={build.id} data-testid="build-row" data-build-id={build.id}>
              <td data-label="Name" className="data-table__name">
                <Link to={`/builds/${encodeURIComponent(build.id)}`}>{build.name || 'Untitled build'}</Link>
              </td>
              <td data-label="Status">
                <StatusBadge status={build.status} />
              </td>
              <td data-label="Phase">{build.phase && build.status === 'running' ? capitalize(build.phase) : '—'}</td>
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
          ))}
        </tbody>
      </table>
    </div>
  );
}
