import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, isRetryable } from './api.ts';

export interface PollingState<T> {
  data: T | undefined;
  error: unknown;
  /** True until the first answer (or failure) for the current fetcher arrives. */
  isLoading: boolean;
  /** True while any request is in flight, including background refreshes. */
  isFetching: boolean;
  /** Fetch again now, whatever the schedule says (and restart a schedule that had stopped). */
  refresh: () => void;
}

/** Failures back off from the polling interval (at least this) up to the maximum. */
const MIN_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;

/**
 * Calls `fetcher` once whenever it changes (wrap it in useCallback), then again
 * every `intervalMs` while `enabled`. `enabled` may be a predicate on the latest
 * result, e.g. "the build is still running", so polling stops on the very
 * answer that shows there is nothing left to watch. A failed call is retried
 * when retrying can help (network, 429, 5xx), even if polling is off, with a
 * growing delay, or after the server's Retry-After, or as soon as the browser
 * is back online, so a page recovers by itself. Requests never overlap, the
 * previous data stays on screen while refreshing, and a hidden tab is not polled.
 */
export function usePolling<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  enabled: boolean | ((latest: T) => boolean) = true,
): PollingState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [isLoading, setIsLoading] = useState(true);
  const [isFetching, setIsFetching] = useState(false);
  const [refreshCount, setRefreshCount] = useState(0);
  const enabledRef = useRef(enabled);
  enabledRef.current = enabled;
  // Flipping a boolean `enabled` restarts the schedule (with a fetch); a predicate is read per answer.
  const enabledKey = typeof enabled === 'boolean' ? enabled : 'predicate';
  const refresh = useCallback(() => setRefreshCount((n) => n + 1), []);

  // A new fetcher means new data is wanted (another build, another filter).
  useEffect(() => {
    setIsLoading(true);
    setError(null);
  }, [fetcher]);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waitingForVisibility = false;
    let waitingAfterFailure = false;
    let failures = 0;
    let inFlight = false;

    const schedule = (delayMs: number | null) => {
      if (delayMs !== null && !controller.signal.aborted) timer = setTimeout(tick, delayMs);
    };

    const tick = () => {
      clearTimeout(timer);
      if (inFlight) return;
      if (document.visibilityState === 'hidden') {
        waitingForVisibility = true;
        return;
      }
      inFlight = true;
      waitingAfterFailure = false;
      setIsFetching(true);
      fetcher(controller.signal).then(
        (result) => {
          inFlight = false;
          if (controller.signal.aborted) return;
          failures = 0;
          setData(result);
          setError(null);
          setIsLoading(false);
          setIsFetching(false);
          const shouldPoll = enabledRef.current;
          schedule((typeof shouldPoll === 'function' ? shouldPoll(result) : shouldPoll) ? intervalMs : null);
        },
        (failure: unknown) => {
          inFlight = false;
          if (controller.signal.aborted) return;
          setError(failure);
          setIsLoading(false);
          setIsFetching(false);
          // After a 401 the app is already on its way to the sign-in page.
          if ((failure instanceof ApiError && failure.status === 401) || !isRetryable(failure)) return;
          failures += 1;
          waitingAfterFailure = true;
          const asked = failure instanceof ApiError ? failure.retryAfterMs : null;
          schedule(asked ?? Math.min(MAX_RETRY_MS, Math.max(intervalMs, MIN_RETRY_MS) * 2 ** (failures - 1)));
        },
      );
    };

    const onVisibilityChange = () => {
      if (document.visibilityState === 'visible' && waitingForVisibility) {
        waitingForVisibility = false;
        tick();
      }
    };
    const onOnline = () => {
      if (waitingAfterFailure) tick();
    };

    document.addEventListener('visibilitychange', onVisibilityChange);
    window.addEventListener('online', onOnline);
    tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibilityChange);
      window.removeEventListener('online', onOnline);
    };
  }, [fetcher, intervalMs, enabledKey, refreshCount]);

  return { data, error, isLoading, isFetching, refresh };
}
