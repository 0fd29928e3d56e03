import { useCallback, useRef } from 'react';
import { isNotFound } from '../api.ts';
import { getBuild, getEvents, getFeatures, getIterationsAfter } from '../builds.ts';
import { isActiveStatus, type Build, type BuildEvent, type FeatureSnapshot, type IterationRecord } from '../types.ts';
import { usePolling, type PollingState } from '../usePolling.ts';

export const BUILD_POLL_MS = 2000;
const EVENT_PAGE_SIZE = 1000;
/** A first visit to a long build catches up on its events this many pages per poll. */
const EVENT_PAGES_PER_POLL = 10;
/** The log keeps the newest events; older ones are counted, not held. */
export const MAX_EVENTS_KEPT = 2000;

export interface BuildWatch {
  build: Build;
  features: FeatureSnapshot | null;
  /** Null when the server has no iteration records to give (yet). */
  iterations: IterationRecord[] | null;
  events: BuildEvent[];
  /** Events older than the kept ones. */
  droppedEvents: number;
  /** Still reading a backlog of events; the log is not at the present yet. */
  catchingUp: boolean;
  /** Finished, and read once more after finishing: nothing will change any more. */
  settled: boolean;
}

interface WatchCache {
  view: BuildWatch | undefined;
  after: number;
  iterationsKey: string;
}

/** Keeps the previous object when the new one has the same content, so React can skip work. */
function keepIfSame<T>(previous: T | undefined, next: T): T {
  if (previous === undefined || previous === next) return next;
  return JSON.stringify(previous) === JSON.stringify(next) ? previous : next;
}

/**
 * Watches one build the way the design asks: the build every 2 s while it is active (a
 * conditional GET: unchanged, it costs a 304), its feature list whenever the build has moved,
 * its events by cursor (only the new ones each time), its new iteration records whenever a
 * session has been recorded, and nothing once it has finished.
 * Errors surface through `error` and are retried by usePolling.
 */
export function useBuildWatch(id: string): PollingState<BuildWatch> {
  const cache = useRef<WatchCache>({ view: undefined, after: 0, iterationsKey: '' });

  const fetchWatch = useCallback(
    async (signal: AbortSignal): Promise<BuildWatch> => {
      const c = cache.current;
      const previous = c.view;
      const build = keepIfSame(previous?.build, await getBuild(id, signal));

      // A session is recorded together with its usage: new usage means a new iteration record.
      const iterationsKey = `${build.iteration}|${build.status}|${build.usage.inputTokens}|${build.usage.outputTokens}`;
      // The workflow stores a feature snapshot before it updates the build, so an unchanged build
      // means an unchanged feature list: it is read again only when the build has moved.
      const [featuresAnswer, iterationsAnswer, eventBatch] = await Promise.all([
        previous === undefined || previous.build !== build ? getFeatures(id, signal) : Promise.resolve(previous.features),
        iterationsKey === c.iterationsKey ? Promise.resolve(previous?.iterations ?? null) : readNewIterations(id, previous?.iterations ?? [], signal),
        readNewEvents(id, c.after, signal),
      ]);

      // A refresh may have replaced this poll meanwhile; only the live one moves the cursor.
      if (signal.aborted) throw new DOMException('The poll was replaced.', 'AbortError');
      const features = keepIfSame(previous?.features ?? undefined, featuresAnswer ?? undefined) ?? null;
      const iterations = keepIfSame(previous?.iterations ?? undefined, iterationsAnswer ?? undefined) ?? null;
      c.iterationsKey = iterationsKey;
      c.after = eventBatch.nextAfter;

      let events = previous?.events ?? [];
      let droppedEvents = previous?.droppedEvents ?? 0;
      const lastSeq = events[events.length - 1]?.seq ?? 0;
      const fresh = eventBatch.events.filter((event) => event.seq > lastSeq);
      if (fresh.length > 0) {
        events = [...events, ...fresh];
        if (events.length > MAX_EVENTS_KEPT) {
          droppedEvents += events.length - MAX_EVENTS_KEPT;
          events = events.slice(-MAX_EVENTS_KEPT);
        }
      }
      const finished = !isActiveStatus(build.status);
      const settled = finished && !eventBatch.more && (previous === undefined || !isActiveStatus(previous.build.status));

      const next: BuildWatch = { build, features, iterations, events, droppedEvents, catchingUp: eventBatch.more, settled };
      const unchanged =
        previous !== undefined &&
        previous.build === build &&
        previous.features === features &&
        previous.iterations === iterations &&
        previous.events === events &&
        previous.catchingUp === next.catchingUp &&
        previous.settled === settled;
      c.view = unchanged ? previous : next;
      return c.view;
    },
    [id],
  );

  return usePolling(fetchWatch, BUILD_POLL_MS, (latest) => !latest.settled);
}

/** Sessions are recorded once and never change: only the ones after the newest known are read. */
async function readNewIterations(id: string, known: IterationRecord[], signal: AbortSignal): Promise<IterationRecord[] | null> {
  const after = known.reduce((max, r) => Math.max(max, r.iteration), 0);
  try {
    const fresh = await getIterationsAfter(id, after, signal);
    return fresh.length > 0 ? [...known, ...fresh] : known;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Events after the cursor, a few pages at most per poll so one poll never runs long. */
async function readNewEvents(id: string, after: number, signal: AbortSignal): Promise<{ events: BuildEvent[]; nextAfter: number; more: boolean }> {
  const events: BuildEvent[] = [];
  let cursor = after;
  for (let page = 0; page < EVENT_PAGES_PER_POLL; page += 1) {
    const answer = await getEvents(id, cursor, EVENT_PAGE_SIZE, signal);
    events.push(...answer.events);
    cursor = answer.nextAfter;
    if (answer.events.length < EVENT_PAGE_SIZE) return { events, nextAfter: cursor, more: false };
  }
  return { events, nextAfter: cursor, more: true };
}
