import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatClock, formatNumber } from '../format.ts';
import type { BuildEvent } from '../types.ts';
import { describeEvent, EVENT_FILTERS, isErrorEvent, matchesFilter, type EventFilter } from './events.ts';

/** Rows rendered at most; the newest win. Older kept events stay reachable by filtering. */
const MAX_ROWS = 500;

interface EventLogProps {
  events: BuildEvent[];
  droppedEvents: number;
  catchingUp: boolean;
  live: boolean;
}

/**
 * The live event log: filters by kind, and follows new events (scrolls to the newest) until
 * you scroll up to read; "Jump to latest" follows again.
 */
export function EventLog({ events, droppedEvents, catchingUp, live }: EventLogProps) {
  const [filter, setFilter] = useState<EventFilter>('all');
  const [follow, setFollow] = useState(true);
  const listRef = useRef<HTMLOListElement>(null);
  const id = useId();

  const counts = useMemo(() => {
    const result: Record<EventFilter, number> = { all: 0, tools: 0, messages: 0, errors: 0, progress: 0 };
    for (const event of events) for (const { value } of EVENT_FILTERS) if (matchesFilter(event, value)) result[value] += 1;
    return result;
  }, [events]);
  const shown = useMemo(() => events.filter((e) => matchesFilter(e, filter)).slice(-MAX_ROWS), [events, filter]);
  const newestSeq = shown[shown.length - 1]?.seq;

  // Following: keep the newest row in view whenever rows arrive (or the filter changes).
  useLayoutEffect(() => {
    const list = listRef.current;
    if (follow && list) list.scrollTop = list.scrollHeight;
  }, [newestSeq, follow, filter]);

  function onScroll() {
    const list = listRef.current;
    if (!list) return;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 32;
    if (atBottom !== follow) setFollow(atBottom);
  }

  // A brand-new filter starts at the newest events.
  useEffect(() => setFollow(true), [filter]);

  return (
    <section className="card event-log" aria-labelledby={`${id}-title`}>
      <div className="card__header">
        <h2 id={`${id}-title`} className="card__title">
          Event log {live && <span className="live-dot" aria-label="live" />}
        </h2>
        <span className="muted event-log__count" aria-live="off">
          {formatNumber(droppedEvents + events.length)} events
          {catchingUp ? ', loading…' : ''}
        </span>
      </div>
      <div className="segmented segmented--small" role="radiogroup" aria-label="Show events">
        {EVENT_FILTERS.map(({ value, label }) => (
          <label key={value} className="segmented__option">
            <input type="radio" name={`${id}-filter`} value={value} checked={filter === value} onChange={() => setFilter(value)} />
            <span>
              {label} <span className="segmented__count">{counts[value]}</span>
            </span>
          </label>
        ))}
      </div>
      {shown.length === 0 ? (
        <p className="muted event-log__empty">{events.length === 0 ? (live ? 'Events appear here as the agent works.' : 'This build recorded no events.') : 'No events of this kind yet.'}</p>
      ) : (
        // role="log": new rows are additions a screen reader can find; not announced one by one.
        <ol ref={listRef} className="event-log__list" role="log" aria-live="off" aria-label="Build events" tabIndex={0} onScroll={onScroll} data-testid="event-log">
          {(droppedEvents > 0 || shown.length === MAX_ROWS) && <li className="event-log__note muted">Older events are not shown here.</li>}
          {shown.map((event) => (
            <EventRow key={event.seq} event={event} />
          ))}
        </ol>
      )}
      {!follow && shown.length > 0 && (
        <button type="button" className="button button--secondary button--small event-log__jump" onClick={() => setFollow(true)}>
          Jump to latest
        </button>
      )}
    </section>
  );
}

function EventRow({ event }: { event: BuildEvent }) {
  const { title, detail, tone } = describeEvent(event);
  const error = isErrorEvent(event);
  return (
    <li className={`event event--${error ? 'error' : tone}`} data-testid="event" data-type={event.type}>
      <time className="event__time" dateTime={event.at}>
        {formatClock(event.at)}
      </time>
      {event.iteration > 0 ? (
        <span className="event__session" title={`Session ${event.iteration}`}>
          <span className="visually-hidden">Session </span>S{event.iteration}
        </span>
      ) : (
        <span aria-hidden="true" />
      )}
      <div className="event__body">
        {detail ? (
          <details>
            <summary className="event__title">{title}</summary>
            <pre className="event__detail">{detail}</pre>
          </details>
        ) : (
          <span className="event__title">{title}</span>
        )}
      </div>
    </li>
  );
}
