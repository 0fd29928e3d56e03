import { sql } from 'kysely';
import type { Db } from './connect.ts';
import type { BuildStatus } from './schema.ts';

export interface BuildStats {
  byStatus: Record<BuildStatus, number>;
  /** Since `since`: builds created, builds completed, and what their sessions cost. */
  thisWeek: { started: number; completed: number; costUsd: number };
}

/** One owner's builds counted by status, and their activity since `since`. */
export async function buildStats(db: Db, ownerId: string, since: Date): Promise<BuildStats> {
  const [statuses, recent, cost] = await Promise.all([
    // An index-only scan of builds_owner_status_created.
    db.selectFrom('builds').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('owner_id', '=', ownerId).groupBy('status').execute(),
    db
      .selectFrom('builds')
      .select([
        sql<number>`count(*) filter (where created_at >= ${since})`.as('started'),
        sql<number>`count(*) filter (where status = 'completed' and finished_at >= ${since})`.as('completed'),
      ])
      .where('owner_id', '=', ownerId)
      .executeTakeFirstOrThrow(),
    // Money spent in the window, whenever the build began: sessions are priced as they end.
    db
      .selectFrom('build_iterations')
      .innerJoin('builds', 'builds.id', 'build_iterations.build_id')
      .select(sql<number | null>`sum(build_iterations.cost_usd)`.as('cost'))
      .where('builds.owner_id', '=', ownerId)
      .where('build_iterations.created_at', '>=', since)
      .executeTakeFirstOrThrow(),
  ]);
  const byStatus: Record<BuildStatus, number> = { queued: 0, running: 0, paused: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const row of statuses) byStatus[row.status] = Number(row.n);
  return {
    byStatus,
    thisWeek: { started: Number(recent.started), completed: Number(recent.completed), costUsd: Math.round(Number(cost.cost ?? 0) * 1e6) / 1e6 },
  };
}
