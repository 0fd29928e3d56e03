import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listApiTokens } from '../db/api-tokens.ts';
import { listBuildEvents, sessionDurationMs } from '../db/build-events.ts';
import { listBuildIterations } from '../db/build-iterations.ts';
import { buildStats } from '../db/build-stats.ts';
import { claimActiveBuildSlot, findOwnedBuild, listOwnedBuilds } from '../db/builds.ts';
import { listCheckpoints } from '../db/checkpoints.ts';
import type { Db, DbHandle } from '../db/connect.ts';
import { latestFeatureSnapshot } from '../db/feature-snapshots.ts';
import { findOwnedProject, listProjects } from '../db/projects.ts';
import { findSessionUser } from '../db/sessions.ts';
import { listSpecs } from '../db/specs.ts';
import { testDialects } from './support/dialects.ts';
import { planNodes, plansOf } from './support/query-plans.ts';

const OWNER = randomUUID();
const ID = randomUUID();
const AFTER = { createdAt: new Date(), id: ID };

/**
 * Every query behind a list or a lookup the API serves, with the index it must use. With
 * sequential scans made a last resort, a query still scanning a table has no usable index; a
 * Sort means the index does not deliver the list's order, so a deep page would sort everything.
 */
const listQueries: Array<{ name: string; run: (db: Db) => Promise<unknown>; indexes: string[]; ordered?: boolean }> = [
  { name: 'builds, first page', run: (db) => listOwnedBuilds(db, OWNER, { limit: 21 }), indexes: ['builds_owner_created', 'artifacts_pkey'], ordered: true },
  { name: 'builds, deep cursor', run: (db) => listOwnedBuilds(db, OWNER, { after: AFTER, limit: 21 }), indexes: ['builds_owner_created', 'artifacts_pkey'], ordered: true },
  { name: 'builds by status', run: (db) => listOwnedBuilds(db, OWNER, { status: 'running', after: AFTER, limit: 21 }), indexes: ['builds_owner_status_created'], ordered: true },
  { name: 'builds by project', run: (db) => listOwnedBuilds(db, OWNER, { projectId: ID, after: AFTER, limit: 21 }), indexes: ['builds_project_created'], ordered: true },
  { name: 'one build', run: (db) => findOwnedBuild(db, OWNER, ID), indexes: [] },
  { name: 'active builds count', run: (db) => claimActiveBuildSlot(db, OWNER, 3, async () => {}), indexes: ['users_pkey', 'builds_owner_status_created'] },
  { name: 'build stats', run: (db) => buildStats(db, OWNER, new Date()), indexes: ['builds_owner_status_created', 'build_iterations_pk'] },
  { name: 'specs', run: (db) => listSpecs(db, OWNER, { after: AFTER, limit: 21 }), indexes: ['specs_owner_created'], ordered: true },
  { name: 'projects with build counts', run: (db) => listProjects(db, OWNER, { after: AFTER, limit: 21 }), indexes: ['projects_owner_created', 'builds_project_created'], ordered: true },
  { name: 'one project', run: (db) => findOwnedProject(db, OWNER, ID), indexes: [] },
  { name: 'events', run: (db) => listBuildEvents(db, ID, { after: 100, limit: 200 }), indexes: ['build_events_pk'], ordered: true },
  { name: 'session duration', run: (db) => sessionDurationMs(db, ID, 3), indexes: ['build_events_pk'], ordered: true },
  { name: 'iterations', run: (db) => listBuildIterations(db, ID, { after: 0, limit: 1000 }), indexes: ['build_iterations_pk'], ordered: true },
  { name: 'checkpoints', run: (db) => listCheckpoints(db, ID), indexes: ['checkpoints_pk'], ordered: true },
  { name: 'feature snapshot', run: (db) => latestFeatureSnapshot(db, ID), indexes: ['feature_snapshots_pk'], ordered: true },
  { name: 'api tokens', run: (db) => listApiTokens(db, OWNER), indexes: ['api_tokens_user_id'], ordered: true },
  { name: 'session lookup', run: (db) => findSessionUser(db, 'hash', new Date()), indexes: ['sessions_pkey'] },
];

describe.each(testDialects())('indexes on $name', ({ open }) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle?.close();
  });

  it.each(listQueries)('$name uses $indexes', async ({ run, indexes, ordered }) => {
    const nodes = (await plansOf(handle.db, run)).flatMap(planNodes);
    const used = new Set(nodes.map((n) => n['Index Name']).filter(Boolean));
    for (const index of indexes) expect([...used], `plan should use ${index}`).toContain(index);
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).toEqual([]);
    if (ordered) expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
  });
});
