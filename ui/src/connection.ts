import { useSyncExternalStore } from 'react';

/**
 * Whether the server is reachable, as the last request (or the browser) saw it. One banner in
 * the layout reads it, so a lost connection is shown once, not on every card that polls. While
 * it is lost, the liveness route is probed, so the banner clears by itself on pages that have
 * nothing to poll.
 */
const PROBE_INTERVAL_MS = 5000;
let lost = false;
let probe: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function set(next: boolean): void {
  if (next === lost) return;
  lost = next;
  clearInterval(probe);
  probe = lost ? setInterval(checkServer, PROBE_INTERVAL_MS) : undefined;
  for (const listener of listeners) listener();
}

function checkServer(): void {
  if (!navigator.onLine) return;
  fetch('/api/health', { cache: 'no-store' }).then(
    (response) => set(!response.ok && response.status >= 500),
    () => set(true),
  );
}

export function reportConnectionLost(): void {
  set(true);
}

export function reportConnectionOk(): void {
  set(false);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useConnectionLost(): boolean {
  return useSyncExternalStore(subscribe, () => lost);
}

window.addEventListener('offline', () => set(true));
window.addEventListener('online', checkServer);
