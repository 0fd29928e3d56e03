import { errorMessage, isRetryable } from '../api.ts';

interface ErrorNoticeProps {
  error: unknown;
  /** What failed, e.g. "Could not load builds". */
  title: string;
  onRetry?: () => void;
}

/** A visible failure message; says whether the page keeps retrying by itself. */
export function ErrorNotice({ error, title, onRetry }: ErrorNoticeProps) {
  const retrying = onRetry !== undefined && isRetryable(error);
  return (
    <div className="notice notice--error notice--sticky" role="alert">
      <div>
        <p className="notice__title">{title}</p>
        <p className="notice__body">
          {errorMessage(error)}
          {retrying ? ' Retrying automatically…' : ''}
        </p>
      </div>
      {onRetry && (
        <button type="button" className="button button--secondary" onClick={onRetry}>
          Retry now
        </button>
      )}
    </div>
  );
}
