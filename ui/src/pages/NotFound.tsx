import { Link } from 'react-router';

export function NotFound() {
  return (
    <div className="empty card">
      <title>Page not found · Autonomous Agents</title>
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link className="button" to="/">
        Back to builds
      </Link>
    </div>
  );
}
