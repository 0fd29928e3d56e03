/**
 * Ends a running command when its time is up or its caller aborts, and remembers which of the
 * two it was. Both providers run commands this way; only how they kill differs.
 */
export interface KillSwitch {
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** Stops watching: call when the command has ended. */
  dispose(): void;
}

export function armKillSwitch(timeoutMs: number, signal: AbortSignal | undefined, kill: () => void): KillSwitch {
  const state = { timedOut: false, aborted: false };
  const timer = setTimeout(() => {
    state.timedOut = true;
    kill();
  }, timeoutMs);
  const onAbort = () => {
    state.aborted = true;
    kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    get timedOut() {
      return state.timedOut;
    },
    get aborted() {
      return state.aborted;
    },
    dispose() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
