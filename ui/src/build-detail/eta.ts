import type { Build, IterationRecord } from '../types.ts';

export type Estimate =
  | { kind: 'finished' }
  | { kind: 'paused' }
  | { kind: 'waiting'; reason: string }
  | {
      kind: 'estimate';
      remainingMs: number;
      finishAt: Date;
      /** Coding sessions still needed at the pace so far. */
      sessionsLeft: number;
      /** What the whole build will have cost at that pace. */
      projectedCostUsd: number;
      /** A limit that will stop the build before it finishes, if any. */
      limitFirst: 'iterations' | 'cost' | null;
    };

/**
 * When the build will finish, from its pace so far: features passed per unit of time since the
 * feature list was written (the initializer's time says nothing about coding speed), and per
 * coding session for the session and cost projections. Falls back to the start time when
 * there are no iteration records.
 */
export function estimateCompletion(build: Build, iterations: IterationRecord[] | null, now: number): Estimate {
  if (build.status === 'completed' || build.status === 'failed' || build.status === 'cancelled') return { kind: 'finished' };
  if (build.status === 'paused') return { kind: 'paused' };
  const { total, passing } = build.features;
  if (total === 0) return { kind: 'waiting', reason: 'once the agent has planned the feature list' };

  const records = [...(iterations ?? [])].sort((a, b) => a.iteration - b.iteration);
  const planned = records.find((r) => r.featuresTotal > 0);
  const startAt = planned ? Date.parse(planned.createdAt) : build.startedAt ? Date.parse(build.startedAt) : NaN;
  const startPassing = planned?.featuresPassing ?? 0;
  const gained = passing - startPassing;
  const elapsed = now - startAt;
  if (!Number.isFinite(elapsed) || elapsed <= 0 || gained <= 0) return { kind: 'waiting', reason: 'once the first features pass' };

  const remaining = Math.max(0, total - passing);
  const remainingMs = (remaining / gained) * elapsed;
  const codingSessions = Math.max(1, records.filter((r) => r.iteration > (planned?.iteration ?? 0)).length);
  const sessionsLeft = Math.ceil(remaining / (gained / codingSessions));
  const codingCost = records.filter((r) => r.iteration > (planned?.iteration ?? 0)).reduce((sum, r) => sum + r.costUsd, 0);
  const costPerFeature = codingCost > 0 ? codingCost / gained : build.usage.costUsd / Math.max(1, passing);
  const projectedCostUsd = build.usage.costUsd + remaining * costPerFeature;

  let limitFirst: 'iterations' | 'cost' | null = null;
  if (build.limits.maxIterations && build.iteration + sessionsLeft > build.limits.maxIterations) limitFirst = 'iterations';
  else if (build.limits.maxCostUsd && projectedCostUsd > build.limits.maxCostUsd) limitFirst = 'cost';

  return { kind: 'estimate', remainingMs, finishAt: new Date(now + remainingMs), sessionsLeft, projectedCostUsd, limitFirst };
}
