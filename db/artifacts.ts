import { sql } from 'kysely';
import type { Db } from './connect.ts';

export interface ArtifactRecord {
  storageKey: string;
  format: string;
  sizeBytes: number;
  sha256: string;
  /** Null for artifacts stored before files were counted. */
  fileCount: number | null;
}

export interface StoredArtifact extends ArtifactRecord {
  createdAt: Date;
}

export async function upsertArtifact(db: Db, buildId: string, a: ArtifactRecord): Promise<void> {
  const values = { storage_key: a.storageKey, format: a.format, size_bytes: a.sizeBytes, sha256: a.sha256, file_count: a.fileCount };
  await db
    .insertInto('artifacts')
    .values({ build_id: buildId, ...values })
    // A resumed build saves its artifact again: the row then describes the newer one, timed by
    // the database's clock like checkpoints are, so the two compare.
    .onConflict((oc) => oc.column('build_id').doUpdateSet({ ...values, created_at: sql<Date>`now()` }))
    .execute();
}

export async function findArtifact(db: Db, buildId: string): Promise<StoredArtifact | undefined> {
  const row = await db.selectFrom('artifacts').selectAll().where('build_id', '=', buildId).executeTakeFirst();
  return (
    row && { storageKey: row.storage_key, format: row.format, sizeBytes: row.size_bytes, sha256: row.sha256, fileCount: row.file_count, createdAt: row.created_at }
  );
}
