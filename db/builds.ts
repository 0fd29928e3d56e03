import { sql } from 'kysely';
import type { Db } from './connect.ts';
import type { KeysetCursor } from './keyset.ts';
import type { BuildErrorInfo, BuildOptions, BuildPhase, BuildRow, BuildStatus } from './schema.ts';

export type BuildWithArtifact = BuildRow & {
  artifact_size: number | null;
  artifact_sha256: string | null;
  artifact_file_count: number | null;
  artifact_created_at: Date | null;
};

export const ACTIVE_STATUSES: BuildStatus[] = ['queued', 'running', 'paused'];

export interface NewBuildRecord {
  id: string;
  ownerId: string;
  name: string;
  specContent: string;
  specId?: string | null;
  projectId?: string | null;
  options: BuildOptions;
  workflowId: string;
}

export async function insertBuild(db: Db, build: NewBuildRecord): Promise<void> {
  await db
    .insertInto('builds')
    .values({
      id: build.id,
      owner_id: build.ownerId,
      name: build.name,
      spec_content: build.specContent,
      spec_id: build.specId ?? null,
      project_id: build.projectId ?? null,
      status: 'queued',
      phase: null,
      options: JSON.stringify(build.options),
      workflow_id: build.workflowId,
      // Set from the app clock at millisecond precision so keyset cursors round-trip exactly.
      created_at: new Date(),
    })
    .execute();
}

/**
 * Runs `claim` (inserting a build, or queueing a finished one again) only while the owner has
 * fewer than `max` queued, running or paused builds. Locking the owner's row serialises the
 * count and the claim, so two requests at once cannot both take the last slot.
 */
export async function claimActiveBuildSlot(db: Db, ownerId: string, max: number, claim: (trx: Db) => Promise<void>): Promise<{ claimed: true } | { claimed: false; active: number }> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('users').select('id').where('id', '=', ownerId).forUpdate().executeTakeFirst();
    const { active } = await trx
      .selectFrom('builds')
      .select((eb) => eb.fn.countAll<number>().as('active'))
      .where('owner_id', '=', ownerId)
      .where('status', 'in', ACTIVE_STATUSES)
      .executeTakeFirstOrThrow();
    if (Number(active) >= max) return { claimed: false, active: Number(active) };
    await claim(trx);
    return { claimed: true };
  });
}

function selectBuilds(db: Db) {
  return db
    .selectFrom('builds')
    .leftJoin('artifacts', 'artifacts.build_id', 'builds.id')
    .selectAll('builds')
    .select(['artifacts.size_bytes as artifact_size', 'artifacts.sha256 as artifact_sha256', 'artifacts.file_count as artifact_file_count', 'artifacts.created_at as artifact_created_at']);
}

/** The build if it exists and belongs to `ownerId`; another user's build is indistinguishable from a missing one. */
export async function findOwnedBuild(db: Db, ownerId: string, id: string): Promise<BuildWithArtifact | undefined> {
  return selectBuilds(db).where('builds.id', '=', id).where('builds.owner_id', '=', ownerId).executeTakeFirst();
}

export async function findBuild(db: Db, id: string): Promise<BuildWithArtifact | undefined> {
  return selectBuilds(db).where('builds.id', '=', id).executeTakeFirst();
}

export type BuildCursor = KeysetCursor;

export async function listOwnedBuilds(
  db: Db,
  ownerId: string,
  opts: { status?: BuildStatus; projectId?: string; after?: BuildCursor; limit: number },
): Promise<BuildWithArtifact[]> {
  let q = selectBuilds(db).where('builds.owner_id', '=', ownerId);
  if (opts.status) q = q.where('builds.status', '=', opts.status);
  if (opts.projectId) q = q.where('builds.project_id', '=', opts.projectId);
  if (opts.after) {
    const { createdAt, id } = opts.after;
    q = q.where((eb) => eb(eb.refTuple('builds.created_at', 'builds.id'), '<', eb.tuple(createdAt, id)));
  }
  return q.orderBy('builds.created_at', 'desc').orderBy('builds.id', 'desc').limit(opts.limit).execute();
}

export interface BuildProgress {
  status?: BuildStatus;
  phase?: BuildPhase | null;
  iteration?: number;
  featuresTotal?: number;
  featuresPassing?: number;
  error?: BuildErrorInfo | null;
  sandboxId?: string | null;
  workflowRunId?: string;
  started?: boolean;
  finished?: boolean;
}

export async function updateBuildProgress(db: Db, id: string, p: BuildProgress): Promise<void> {
  await db
    .updateTable('builds')
    .set({
      ...(p.status !== undefined && { status: p.status }),
      ...(p.phase !== undefined && { phase: p.phase }),
      ...(p.iteration !== undefined && { iteration: p.iteration }),
      ...(p.featuresTotal !== undefined && { features_total: p.featuresTotal }),
      ...(p.featuresPassing !== undefined && { features_passing: p.featuresPassing }),
      ...(p.error !== undefined && { error: p.error === null ? null : JSON.stringify(p.error) }),
      ...(p.sandboxId !== undefined && { sandbox_id: p.sandboxId }),
      ...(p.workflowRunId !== undefined && { workflow_run_id: p.workflowRunId }),
      ...(p.started && { started_at: sql<Date>`coalesce(started_at, now())` }),
      ...(p.finished === true && { finished_at: sql<Date>`now()` }),
      ...(p.finished === false && { finished_at: null }),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export interface SessionRecord {
  iteration: number;
  kind: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  costUsd: number;
  turns: number;
  stopReason: string;
  featuresPassing: number;
  featuresTotal: number;
  /** Null when the session's start could not be found among its events. */
  durationMs?: number | null;
  featuresPassingBefore?: number | null;
}

/**
 * Records one session and adds its usage to the build's totals, once: a second call for the
 * same iteration (a retried activity) changes nothing.
 */
export async function recordSession(db: Db, buildId: string, s: SessionRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('build_iterations')
      .values({
        build_id: buildId,
        iteration: s.iteration,
        kind: s.kind,
        input_tokens: s.inputTokens,
        output_tokens: s.outputTokens,
        cache_creation_input_tokens: s.cacheCreationInputTokens,
        cache_read_input_tokens: s.cacheReadInputTokens,
        cost_usd: s.costUsd,
        turns: s.turns,
        stop_reason: s.stopReason,
        features_passing: s.featuresPassing,
        features_total: s.featuresTotal,
        duration_ms: s.durationMs ?? null,
        features_passing_before: s.featuresPassingBefore ?? null,
      })
      .onConflict((oc) => oc.columns(['build_id', 'iteration']).doNothing())
      .returning('iteration')
      .executeTakeFirst();
    if (!inserted) return;
    await trx
      .updateTable('builds')
      .set((eb) => ({
        input_tokens: eb('input_tokens', '+', s.inputTokens + s.cacheCreationInputTokens + s.cacheReadInputTokens),
        output_tokens: eb('output_tokens', '+', s.outputTokens),
        cost_usd: eb('cost_usd', '+', s.costUsd),
        updated_at: sql<Date>`now()`,
      }))
      .where('id', '=', buildId)
      .execute();
  });
}

export async function updateBuildOptions(db: Db, id: string, options: BuildOptions): Promise<void> {
  await db.updateTable('builds').set({ options: JSON.stringify(options), updated_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

/** The status of each of these builds; an id with no build row is absent from the map (the sandbox reaper asks). */
export async function findBuildStatuses(db: Db, ids: string[]): Promise<Map<string, BuildStatus>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('builds').select(['id', 'status']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.status]));
}
