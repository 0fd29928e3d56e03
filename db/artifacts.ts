import type { Db } from './connect.ts';

export interface ArtifactRecord {
  storageKey: string;
  format: string;
  sizeBytes: number;
  sha256: string;
}

export async function upsertArtifact(db: Db, buildId: string, a: ArtifactRecord): Promise<void> {
  const values = { storage_key: a.storageKey, format: a.format, size_bytes: a.sizeBytes, sha256: a.sha256 };
  await db
    .insertInto('artifacts')
    .values({ build_id: buildId, ...values })
    .onConflict((oc) => oc.column('build_id').doUpdateSet(values))
    .execute();
}

export async function findArtifact(db: Db, buildId: string): Promise<ArtifactRecord | undefined> {
  const row = await db.selectFrom('artifacts').selectAll().where('build_id', '=', buildId).executeTakeFirst();
  return row && { storageKey: row.storage_key, format: row.format, sizeBytes: row.size_bytes, sha256: row.sha256 };
}
