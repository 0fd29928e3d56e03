import { sessionDurationMs } from '../db/build-events.ts';
import { recordSession, updateBuildProgress } from '../db/builds.ts';
import { latestFeatureSnapshot, saveFeatureSnapshot } from '../db/feature-snapshots.ts';
import type { AgentIterationResult, FeatureProgress, ProgressUpdate } from '../workflows/types.ts';
import { eventLogFor, type ActivityDeps } from './deps.ts';
import { FEATURE_LIST_FILE, featureTransitions, forbiddenFeatureEdit, parseFeatureList } from './feature-list.ts';
import { lostAsFailure } from './sandbox-lifecycle.ts';

/** Short bookkeeping the workflow runs as local activities: database writes and one file read. */
export function progressActivities(deps: ActivityDeps) {
  const { db, sandboxes } = deps;

  return {
    /** Reads feature_list.json after a session, refuses forbidden edits, stores the snapshot and its transitions. */
    async snapshotFeatureList(input: { buildId: string; sandboxId: string; iteration: number }): Promise<FeatureProgress> {
      const previous = await latestFeatureSnapshot(db, input.buildId, input.iteration);
      const before = previous?.features ?? [];
      const events = eventLogFor(deps, input.buildId, input.iteration, `snapshot.${input.iteration}`);
      let text: string | null;
      try {
        text = await sandboxes.readFile(input.sandboxId, FEATURE_LIST_FILE);
      } catch (err) {
        throw lostAsFailure(err);
      }
      let features = before;
      if (text !== null) {
        const parsed = parseFeatureList(text);
        const problem = parsed.ok ? forbiddenFeatureEdit(before, parsed.features) : parsed.reason;
        if (problem) {
          events.add('feature_list_rejected', { reason: problem });
          // Put back the last accepted list so the next session starts from the truth.
          if (previous) await sandboxes.writeFile(input.sandboxId, FEATURE_LIST_FILE, `${JSON.stringify(before, null, 2)}\n`);
        } else if (parsed.ok) {
          features = parsed.features;
        }
      }
      for (const t of featureTransitions(before, features)) {
        events.add(t.passes ? 'feature_passed' : 'feature_regressed', { index: t.index, description: t.description });
      }
      await saveFeatureSnapshot(db, input.buildId, input.iteration, features);
      await events.flush();
      return { total: features.length, passing: features.filter((f) => f.passes).length };
    },

    async recordSession(input: { buildId: string; iteration: number; kind: string; result: AgentIterationResult; features: FeatureProgress }): Promise<void> {
      const { usage, turns, stopReason } = input.result;
      // Derived here rather than carried by the workflow, so its history and payloads stay as they are.
      const [durationMs, before] = await Promise.all([sessionDurationMs(db, input.buildId, input.iteration), latestFeatureSnapshot(db, input.buildId, input.iteration)]);
      await recordSession(db, input.buildId, {
        iteration: input.iteration,
        kind: input.kind,
        ...usage,
        turns,
        stopReason,
        featuresPassing: input.features.passing,
        featuresTotal: input.features.total,
        featuresPassingBefore: before?.passing ?? 0,
        durationMs,
      });
    },

    /** Writes the workflow's view of the build to the database, so the dashboard works while workers are down. */
    async recordProgress(update: ProgressUpdate): Promise<void> {
      const { buildId, features, ...rest } = update;
      await updateBuildProgress(db, buildId, { ...rest, featuresTotal: features?.total, featuresPassing: features?.passing });
    },

    /** An event the workflow itself observed (pause, limit, lost sandbox). `key` makes a retry a no-op. */
    async recordBuildEvent(input: { buildId: string; key: string; iteration: number; type: string; data: Record<string, unknown> }): Promise<void> {
      const events = eventLogFor(deps, input.buildId, input.iteration, `wf.${input.key}`);
      events.add(input.type, input.data);
      await events.flush();
    },
  };
}
