import type { Db } from './connect.ts';

export interface Checkpoint {
  iteration: number;
  storageKey: string;
  sizeBytes: number;
  sha256: string;
  /** Null for checkpoints stored before files were counted. */
  fileCount: number | null;
  createdAt: string;
}

/** Records a checkpoint (idempotent per iteration) and returns the ones past `keep`, oldest first, for deletion. */
export async function recordCheckpoint(db: Db, buildId: string, c: Omit<Checkpoint, 'createdAt'>, keep: number): Promise<Checkpoint[]> {
  const values = { storage_key: c.storageKey, size_bytes: c.sizeBytes, sha256: c.sha256, file_count: c.fileCount };
  await db
    .insertInto('checkpoints')
    .values({ build_id: buildId, iteration: c.iteration, ...values })
    .onConflict((oc) => oc.columns(['build_id', 'iteration']).doUpdateSet(values))
    .execute();
  const all = await listCheckpoints(db, buildId);
  return all.slice(keep).reverse();
}

/** Newest first. */
export async function listCheckpoints(db: Db, buildId: string): Promise<Checkpoint[]> {
  const rows = await db.selectFrom('checkpoints').selectAll().where('build_id', '=', buildId).orderBy('iteration', 'desc').execute();
  return rows.map((r) => ({ iteration: r.iteration, storageKey: r.storage_key, sizeBytes: r.size_bytes, sha256: r.sha256, fileCount: r.file_count, createdAt: r.created_at.toISOString() }));
}

export async function deleteCheckpointRecord(db: Db, buildId: string, iteration: number): Promise<void> {
  await db.deleteFrom('checkpoints').where('build_id', '=', buildId).where('iteration', '=', iteration).execute();
}
