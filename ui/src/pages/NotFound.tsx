import { Link } from 'react-router';
import { EmptyState } from '../components/EmptyState.tsx';

export function NotFound() {
  return (
    <div className="card">
      <title>Page not found · Autonomous Agents</title>
      <EmptyState
        title="Page not found"
        action={
          <Link className="button" to="/">
            Back to the dashboard
          </Link>
        }
      >
        There is nothing at this address.
      </EmptyState>
    </div>
  );
}
