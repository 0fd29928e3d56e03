import type { Db } from './connect.ts';

export interface NewBuildEvent {
  key: string;
  type: string;
  iteration: number;
  data: Record<string, unknown>;
}

export interface BuildEvent {
  seq: number;
  at: string;
  type: string;
  iteration: number;
  data: Record<string, unknown>;
}

/**
 * Appends events in one transaction. The build row's counter is bumped under its row lock,
 * so `seq` strictly increases per build; events whose key already exists are skipped,
 * which makes a retried activity's re-sent batch a no-op.
 */
export async function appendBuildEvents(db: Db, buildId: string, events: NewBuildEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('build_events')
      .select('key')
      .where('build_id', '=', buildId)
      .where('key', 'in', events.map((e) => e.key))
      .execute();
    const seen = new Set(existing.map((r) => r.key));
    const fresh = events.filter((e) => !seen.has(e.key) && seen.add(e.key));
    if (fresh.length === 0) return 0;
    const { event_seq } = await trx
      .updateTable('builds')
      .set((eb) => ({ event_seq: eb('event_seq', '+', fresh.length) }))
      .where('id', '=', buildId)
      .returning('event_seq')
      .executeTakeFirstOrThrow();
    const first = event_seq - fresh.length + 1;
    await trx
      .insertInto('build_events')
      .values(fresh.map((e, i) => ({ build_id: buildId, seq: first + i, key: e.key, type: e.type, iteration: e.iteration, data: JSON.stringify(e.data) })))
      .execute();
    return fresh.length;
  });
}

export async function listBuildEvents(db: Db, buildId: string, opts: { after: number; limit: number }): Promise<BuildEvent[]> {
  const rows = await db
    .selectFrom('build_events')
    .select(['seq', 'at', 'type', 'iteration', 'data'])
    .where('build_id', '=', buildId)
    .where('seq', '>', opts.after)
    .orderBy('seq')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({ seq: r.seq, at: r.at.toISOString(), type: r.type, iteration: r.iteration, data: r.data }));
}

/**
 * How long the session of `iteration` ran, from the session_started event of its last attempt
 * to its session_finished (or session_interrupted) event; null when either is missing. Walks the
 * build's newest events backwards through the primary key, so it reads about one session's events.
 */
export async function sessionDurationMs(db: Db, buildId: string, iteration: number): Promise<number | null> {
  const [end, start] = await db
    .selectFrom('build_events')
    .select(['type', 'at'])
    .where('build_id', '=', buildId)
    .where('iteration', '=', iteration)
    .where('type', 'in', ['session_started', 'session_finished', 'session_interrupted'])
    .orderBy('seq', 'desc')
    .limit(2)
    .execute();
  if (!end || !start || end.type === 'session_started' || start.type !== 'session_started') return null;
  return end.at.getTime() - start.at.getTime();
}
