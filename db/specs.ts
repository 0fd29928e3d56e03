import { sql } from 'kysely';
import type { Db } from './connect.ts';
import type { KeysetCursor } from './keyset.ts';

export interface SpecSummary {
  id: string;
  name: string;
  sizeBytes: number;
  lineCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface Spec extends SpecSummary {
  content: string;
}

const summaryColumns = ['id', 'name', 'size_bytes', 'line_count', 'created_at', 'updated_at'] as const;

type SummaryRow = { id: string; name: string; size_bytes: number; line_count: number; created_at: Date; updated_at: Date };

function toSummary(r: SummaryRow): SpecSummary {
  return { id: r.id, name: r.name, sizeBytes: r.size_bytes, lineCount: r.line_count, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}

/** Size in UTF-8 bytes and number of lines (a final newline does not start another line). */
export function measureSpec(content: string): { size_bytes: number; line_count: number } {
  const newlines = content.split('\n').length - 1;
  const lines = content === '' ? 0 : newlines + (content.endsWith('\n') ? 0 : 1);
  return { size_bytes: Buffer.byteLength(content, 'utf8'), line_count: lines };
}

export async function insertSpec(db: Db, spec: { id: string; ownerId: string; name: string; content: string }): Promise<Spec> {
  // The app clock, at millisecond precision, so keyset cursors round-trip exactly.
  const now = new Date();
  const row = await db
    .insertInto('specs')
    .values({ id: spec.id, owner_id: spec.ownerId, name: spec.name, content: spec.content, ...measureSpec(spec.content), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...toSummary(row), content: row.content };
}

/** The owner's specs, newest first, without their content. */
export async function listSpecs(db: Db, ownerId: string, opts: { after?: KeysetCursor; limit: number }): Promise<SpecSummary[]> {
  let q = db.selectFrom('specs').select(summaryColumns).where('owner_id', '=', ownerId);
  if (opts.after) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(opts.after!.createdAt, opts.after!.id)));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.map(toSummary);
}

/** The spec if it exists and belongs to `ownerId`; another user's spec is indistinguishable from a missing one. */
export async function findOwnedSpec(db: Db, ownerId: string, id: string): Promise<Spec | undefined> {
  const row = await db.selectFrom('specs').selectAll().where('id', '=', id).where('owner_id', '=', ownerId).executeTakeFirst();
  return row && { ...toSummary(row), content: row.content };
}

export async function updateSpec(db: Db, ownerId: string, id: string, patch: { name?: string; content?: string }): Promise<Spec | undefined> {
  const row = await db
    .updateTable('specs')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.content !== undefined && { content: patch.content, ...measureSpec(patch.content) }),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .returningAll()
    .executeTakeFirst();
  return row && { ...toSummary(row), content: row.content };
}

/** Builds started from the spec keep their copy of its content; they only lose the link to it. */
export async function deleteSpec(db: Db, ownerId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('specs').where('id', '=', id).where('owner_id', '=', ownerId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
