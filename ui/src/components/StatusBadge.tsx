import { capitalize } from '../format.ts';
import type { BuildStatus } from '../types.ts';

/** The status as text (never colour alone), with a pulsing dot while running. */
export function StatusBadge({ status }: { status: BuildStatus }) {
  return (
    <span className={`badge badge--${status}`} data-testid="build-status" data-status={status}>
      <span className="badge__dot" aria-hidden="true" />
      {capitalize(status)}
    </span>
  );
}
