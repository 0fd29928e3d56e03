import { Link } from 'react-router';
import { EmptyState } from './EmptyState.tsx';

/** A detail page whose resource is gone or someone else's (the API answers 404 for both). */
export function ResourceNotFound({ what, backTo, backLabel }: { what: string; backTo: string; backLabel: string }) {
  return (
    <div className="card">
      <title>{`${what} not found · Autonomous Agents`}</title>
      <EmptyState
        title={`${what} not found`}
        action={
          <Link className="button" to={backTo}>
            {backLabel}
          </Link>
        }
      >
        It was deleted, or it belongs to another account.
      </EmptyState>
    </div>
  );
}
