import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, isRetryable } from './api.ts';

export interface PollingState<T> {
  data: T | undefined;
  error: unknown;
  /** True until the first answer (or failure) for the current fetcher arrives. */
  isLoading: boolean;
  /** True while any request is in flight, including background refreshes. */
  isFetching: boolean;
  /** Fetch again now, whatever the schedule says. */
  refresh: () => void;
}

/**
 * Calls `fetcher` once whenever it changes (wrap it in useCallback), then again
 * every `intervalMs` while `enabled`. `enabled` may be a predicate on the latest
 * result, e.g. "the build is still running", so polling stops on the very
 * answer that shows there is nothing left to watch. A failed call is retried on
 * the same schedule when retrying can help (network, 5xx), even if polling is
 * off, so a page recovers by itself. Requests never overlap, the previous data
 * stays on screen while refreshing, and a hidden tab is not polled.
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

    const schedule = (keepGoing: boolean) => {
      if (keepGoing && !controller.signal.aborted) timer = setTimeout(tick, intervalMs);
    };

    const tick = () => {
      if (document.visibilityState === 'hidden') {
        waitingForVisibility = true;
        return;
      }
      setIsFetching(true);
      fetcher(controller.signal).then(
        (result) => {
          if (controller.signal.aborted) return;
          setData(result);
          setError(null);
          setIsLoading(false);
          setIsFetching(false);
          const shouldPoll = enabledRef.current;
          schedule(typeof shouldPoll === 'function' ? shouldPoll(result) : shouldPoll);
        },
        (failure: unknown) => {
          if (controller.signal.aborted) return;
          setError(failure);
          setIsLoading(false);
          setIsFetching(false);
          // After a 401 the app is already on its way to the sign-in page.
          if (failure instanceof ApiError && failure.status === 401) return;
          schedule(isRetryable(failure));
        },
      );
    };

    const onVisibilityChange = () => {
      if (document.visibilityState === 'visible' && waitingForVisibility) {
        waitingForVisibility = false;
        tick();
      }
    };

    document.addEventListener('visibilitychange', onVisibilityChange);
    tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
  }, [fetcher, intervalMs, enabledKey, refreshCount]);

  return { data, error, isLoading, isFetching, refresh };
}
