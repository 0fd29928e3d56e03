import type { Db } from './connect.ts';
import type { Feature } from './schema.ts';

export interface FeatureSnapshot {
  iteration: number;
  features: Feature[];
  total: number;
  passing: number;
  createdAt: string;
}

/** Idempotent per (build, iteration): a retried snapshot replaces the earlier attempt's. */
export async function saveFeatureSnapshot(db: Db, buildId: string, iteration: number, features: Feature[]): Promise<void> {
  const passing = features.filter((f) => f.passes).length;
  const values = { features: JSON.stringify(features), total: features.length, passing };
  await db
    .insertInto('feature_snapshots')
    .values({ build_id: buildId, iteration, ...values })
    .onConflict((oc) => oc.columns(['build_id', 'iteration']).doUpdateSet(values))
    .execute();
}

/** The newest snapshot, or the newest one taken before `beforeIteration`. */
export async function latestFeatureSnapshot(db: Db, buildId: string, beforeIteration?: number): Promise<FeatureSnapshot | undefined> {
  let q = db.selectFrom('feature_snapshots').selectAll().where('build_id', '=', buildId);
  if (beforeIteration !== undefined) q = q.where('iteration', '<', beforeIteration);
  const row = await q
    .orderBy('iteration', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { iteration: row.iteration, features: row.features, total: row.total, passing: row.passing, createdAt: row.created_at.toISOString() };
}
