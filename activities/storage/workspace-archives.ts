import type { Readable } from 'node:stream';
import { upsertArtifact } from '../../db/artifacts.ts';
import { deleteCheckpointRecord, listCheckpoints, recordCheckpoint } from '../../db/checkpoints.ts';
import type { Db } from '../../db/connect.ts';
import { ArchiveIndexer, indexKeyOf } from './archive-index.ts';
import type { ArtifactStorage, StoredObject } from './storage.ts';

export const artifactKey = (buildId: string) => `builds/${buildId}/workspace.tar.gz`;
export const checkpointPrefix = (buildId: string) => `builds/${buildId}/checkpoints/`;
export const checkpointKey = (buildId: string, iteration: number) => `${checkpointPrefix(buildId)}${String(iteration).padStart(6, '0')}.tar.gz`;

export interface StoredArchive extends StoredObject {
  fileCount: number;
}

/**
 * Streams a workspace tar.gz into storage at `key`, indexing it on the way (one pass, nothing
 * buffered whole), then stores the index beside it for browsing.
 */
export async function storeArchive(storage: ArtifactStorage, key: string, archive: Readable): Promise<StoredArchive> {
  const indexer = new ArchiveIndexer();
  archive.on('error', (err) => indexer.destroy(err));
  archive.pipe(indexer);
  let stored: StoredObject;
  try {
    stored = await storage.put(key, indexer);
  } catch (err) {
    archive.destroy();
    throw err;
  }
  await storage.put(indexKeyOf(key), indexer.indexBody(stored.sha256));
  return { ...stored, fileCount: indexer.fileCount };
}

/** Deletes an archive and its index. */
export async function deleteArchive(storage: ArtifactStorage, key: string): Promise<void> {
  await storage.delete(indexKeyOf(key));
  await storage.delete(key);
}

/** The build's final workspace: stored, indexed, and recorded with its size, checksum and file count. */
export async function storeArtifact(deps: { db: Db; storage: ArtifactStorage }, buildId: string, archive: Readable): Promise<StoredArchive> {
  const stored = await storeArchive(deps.storage, artifactKey(buildId), archive);
  await upsertArtifact(deps.db, buildId, { storageKey: stored.key, format: 'tar.gz', sizeBytes: stored.sizeBytes, sha256: stored.sha256, fileCount: stored.fileCount });
  return stored;
}

/**
 * Stores the workspace as the checkpoint of `iteration` and keeps only the newest `keep`. Every
 * object under the build's checkpoint folder that no kept checkpoint names is deleted too, so an
 * upload orphaned by a failed attempt does not stay forever. Safe to retry at any point.
 */
export async function storeCheckpoint(
  deps: { db: Db; storage: ArtifactStorage; checkpointRetention: number },
  buildId: string,
  iteration: number,
  archive: Readable,
): Promise<StoredArchive> {
  const { db, storage } = deps;
  const stored = await storeArchive(storage, checkpointKey(buildId, iteration), archive);
  const expired = await recordCheckpoint(
    db,
    buildId,
    { iteration, storageKey: stored.key, sizeBytes: stored.sizeBytes, sha256: stored.sha256, fileCount: stored.fileCount },
    deps.checkpointRetention,
  );
  // Objects first, rows after: a retry after a crash in between finds the rows and deletes again.
  for (const old of expired) {
    await deleteArchive(storage, old.storageKey);
    await deleteCheckpointRecord(db, buildId, old.iteration);
  }
  const kept = new Set((await listCheckpoints(db, buildId)).flatMap((c) => [c.storageKey, indexKeyOf(c.storageKey)]));
  for (const object of await storage.list(checkpointPrefix(buildId))) {
    if (!kept.has(object.key)) await storage.delete(object.key);
  }
  return stored;
}
