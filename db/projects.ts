import { sql } from 'kysely';
import type { Db } from './connect.ts';
import type { KeysetCursor } from './keyset.ts';

export interface Project {
  id: string;
  name: string;
  description: string | null;
  buildCount: number;
  createdAt: string;
  updatedAt: string;
}

function selectProjects(db: Db) {
  return db
    .selectFrom('projects')
    .select(['projects.id', 'projects.name', 'projects.description', 'projects.created_at', 'projects.updated_at'])
    // Counted through builds_project_created: a handful of index entries per project on a page.
    .select((eb) => eb.selectFrom('builds').select(eb.fn.countAll<number>().as('n')).whereRef('builds.project_id', '=', 'projects.id').as('build_count'));
}

type ProjectRow = { id: string; name: string; description: string | null; created_at: Date; updated_at: Date; build_count: number | string | bigint | null };

function toProject(r: ProjectRow): Project {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    // count(*) is a bigint, which the drivers hand over as a string (pg) or a number (PGlite).
    buildCount: Number(r.build_count ?? 0),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function insertProject(db: Db, p: { id: string; ownerId: string; name: string; description: string | null }): Promise<Project> {
  // The app clock, at millisecond precision, so keyset cursors round-trip exactly.
  const now = new Date();
  const row = await db
    .insertInto('projects')
    .values({ id: p.id, owner_id: p.ownerId, name: p.name, description: p.description, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toProject({ ...row, build_count: 0 });
}

/** The owner's projects, newest first, each with its number of builds. */
export async function listProjects(db: Db, ownerId: string, opts: { after?: KeysetCursor; limit: number }): Promise<Project[]> {
  let q = selectProjects(db).where('projects.owner_id', '=', ownerId);
  if (opts.after) q = q.where((eb) => eb(eb.refTuple('projects.created_at', 'projects.id'), '<', eb.tuple(opts.after!.createdAt, opts.after!.id)));
  const rows = await q.orderBy('projects.created_at', 'desc').orderBy('projects.id', 'desc').limit(opts.limit).execute();
  return rows.map(toProject);
}

/** The project if it exists and belongs to `ownerId`; another user's project is indistinguishable from a missing one. */
export async function findOwnedProject(db: Db, ownerId: string, id: string): Promise<Project | undefined> {
  const row = await selectProjects(db).where('projects.id', '=', id).where('projects.owner_id', '=', ownerId).executeTakeFirst();
  return row && toProject(row);
}

export async function updateProject(db: Db, ownerId: string, id: string, patch: { name?: string; description?: string | null }): Promise<Project | undefined> {
  const updated = await db
    .updateTable('projects')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .returning('id')
    .executeTakeFirst();
  return updated && findOwnedProject(db, ownerId, id);
}

/** The project's builds stay, detached (project_id set to null by the foreign key). */
export async function deleteProject(db: Db, ownerId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('projects').where('id', '=', id).where('owner_id', '=', ownerId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
