import { useConnectionLost } from '../connection.ts';

/** One banner for the whole app while the server cannot be reached; pages keep retrying underneath. */
export function ConnectionBanner() {
  const lost = useConnectionLost();
  if (!lost) return null;
  return (
    <div className="connection-banner" role="alert" data-testid="connection-lost">
      <span className="spinner" aria-hidden="true" />
      Connection lost. The dashboard keeps retrying and catches up when the server answers again.
    </div>
  );
}
