import { useEffect } from 'react';
import { isRouteErrorResponse, useRevalidator, useRouteError } from 'react-router';
import { ApiError, errorMessage, isRetryable } from '../api.ts';
import { NotFound } from '../pages/NotFound.tsx';

const RETRY_INTERVAL_MS = 5000;

/**
 * Shown when a route cannot load at all (the API is down while checking the
 * session, or a page crashed). Network and server failures retry by themselves.
 */
export function RouteError() {
  const error = useRouteError();
  const revalidator = useRevalidator();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const retrying = error instanceof ApiError && isRetryable(error);

  useEffect(() => {
    if (!retrying) return;
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') void revalidator.revalidate();
    }, RETRY_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [retrying, revalidator]);

  if (notFound) {
    return (
      <main id="main" className="page page--narrow">
        <NotFound />
      </main>
    );
  }

  return (
    <main id="main" className="page page--narrow">
      <title>Something went wrong · Autonomous Agents</title>
      <h1>The dashboard could not load</h1>
      <div className="notice notice--error" role="alert">
        <p className="notice__body">
          {isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : errorMessage(error)}
          {retrying ? ' Retrying automatically…' : ''}
        </p>
        <button type="button" className="button button--secondary" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    </main>
  );
}
