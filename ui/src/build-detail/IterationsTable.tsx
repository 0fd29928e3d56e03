import { capitalize, formatCost, formatDateTime, formatSpan, formatTokens } from '../format.ts';
import type { IterationRecord } from '../types.ts';

/** One row per agent session: what it cost, how long it talked, and where the features stood after it. */
export function IterationsTable({ iterations, live }: { iterations: IterationRecord[] | null; live: boolean }) {
  return (
    <section className="card" aria-labelledby="iterations-title">
      <h2 id="iterations-title" className="card__title">
        Sessions
      </h2>
      {iterations === null ? (
        <p className="muted">Session records are not available for this build.</p>
      ) : iterations.length === 0 ? (
        <p className="muted">{live ? 'Each agent session is listed here when it ends.' : 'No session was recorded.'}</p>
      ) : (
        <div className="table-scroll" role="region" aria-label="Sessions table" tabIndex={0}>
          <table className="data-table data-table--compact" data-testid="iterations-table">
            <caption className="visually-hidden">Agent sessions of this build, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Kind</th>
                <th scope="col" className="numeric">
                  Features
                </th>
                <th scope="col" className="numeric">
                  Input
                </th>
                <th scope="col" className="numeric">
                  Output
                </th>
                <th scope="col" className="numeric">
                  Cache read
                </th>
                <th scope="col" className="numeric">
                  Turns
                </th>
                <th scope="col" className="numeric">
                  Cost
                </th>
                <th scope="col" className="numeric">
                  Took
                </th>
                <th scope="col">Ended</th>
                <th scope="col">Stop reason</th>
              </tr>
            </thead>
            <tbody>
              {[...iterations]
                .sort((a, b) => a.iteration - b.iteration)
                .map((r) => (
                  <tr key={r.iteration} data-testid="iteration-row">
                    <th scope="row">{r.iteration}</th>
                    <td>{capitalize(r.kind)}</td>
                    <td className="numeric">
                      {r.featuresPassing} / {r.featuresTotal}
                      {r.featuresPassingBefore !== null && r.featuresPassingBefore !== undefined && r.featuresPassing > r.featuresPassingBefore && (
                        <span className="gain"> +{r.featuresPassing - r.featuresPassingBefore}</span>
                      )}
                    </td>
                    <td className="numeric">{formatTokens(r.inputTokens)}</td>
                    <td className="numeric">{formatTokens(r.outputTokens)}</td>
                    <td className="numeric">{formatTokens(r.cacheReadInputTokens)}</td>
                    <td className="numeric">{r.turns}</td>
                    <td className="numeric">{formatCost(r.costUsd)}</td>
                    <td className="numeric">{r.durationMs !== null && r.durationMs !== undefined ? formatSpan(r.durationMs) : '—'}</td>
                    <td>
                      <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>
                    </td>
                    <td>
                      <code>{r.stopReason}</code>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
