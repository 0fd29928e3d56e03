import type { SessionRecord } from './builds.ts';
import type { Db } from './connect.ts';

/** One agent session of a build: what it cost and what it achieved. */
export interface BuildIteration extends Omit<SessionRecord, 'featuresPassingBefore' | 'durationMs'> {
  /** Null for sessions recorded before these were kept. */
  featuresPassingBefore: number | null;
  durationMs: number | null;
  createdAt: string;
}

/** The build's sessions in order, from after `after`, through the (build_id, iteration) primary key. */
export async function listBuildIterations(db: Db, buildId: string, opts: { after: number; limit: number }): Promise<BuildIteration[]> {
  const rows = await db
    .selectFrom('build_iterations')
    .selectAll()
    .where('build_id', '=', buildId)
    .where('iteration', '>', opts.after)
    .orderBy('iteration')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    iteration: r.iteration,
    kind: r.kind,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cacheCreationInputTokens: r.cache_creation_input_tokens,
    cacheReadInputTokens: r.cache_read_input_tokens,
    costUsd: Math.round(r.cost_usd * 1e6) / 1e6,
    turns: r.turns,
    stopReason: r.stop_reason,
    featuresPassing: r.features_passing,
    featuresTotal: r.features_total,
    featuresPassingBefore: r.features_passing_before,
    durationMs: r.duration_ms,
    createdAt: r.created_at.toISOString(),
  }));
}
