import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { indexKeyOf } from '../activities/storage/archive-index.ts';
import { LocalArtifactStorage } from '../activities/storage/local.ts';
import { S3ArtifactStorage } from '../activities/storage/s3.ts';
import { partSizeFor } from '../activities/storage/s3-upload.ts';
import type { ArtifactStorage } from '../activities/storage/storage.ts';
import { checkpointKey, checkpointPrefix, storeArtifact, storeCheckpoint } from '../activities/storage/workspace-archives.ts';
import { findArtifact } from '../db/artifacts.ts';
import { insertBuild } from '../db/builds.ts';
import { listCheckpoints } from '../db/checkpoints.ts';
import { migrateToLatest, openDatabase, type DbHandle } from '../db/connect.ts';
import { insertUser } from '../db/users.ts';
import { createBucket } from './support/minio-server.ts';

const MiB = 1024 * 1024;

/** `size` bytes that differ from chunk to chunk, as a stream of 1 MiB pieces (never whole in memory). */
function bytes(size: number, seed: string): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < size; offset += MiB) {
        const block = Buffer.alloc(Math.min(MiB, size - offset), `${seed}:${offset}:`);
        yield block;
      }
    })(),
    { objectMode: false },
  );
}

async function sha256Of(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function textOf(stream: Readable | null): Promise<string | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface Backend {
  name: string;
  create(): Promise<ArtifactStorage>;
}

const backends: Backend[] = [
  { name: 'local files', create: async () => new LocalArtifactStorage(path.join(inject('tmpRoot'), `storage-${randomUUID().slice(0, 8)}`)) },
  {
    name: 'S3 (MinIO)',
    create: async () => {
      const minio = inject('minio');
      const bucket = await createBucket(minio, `storage-${randomUUID().slice(0, 8)}`);
      // Smallest parts S3 allows and two-key list pages, so multipart and paging are really exercised.
      return new S3ArtifactStorage({ ...minio, bucket, partSizeBytes: 5 * MiB, queueSize: 2, listPageSize: 2 });
    },
  },
];

describe.each(backends)('artifact storage on $name', (backend) => {
  let storage: ArtifactStorage;
  let database: DbHandle;

  beforeAll(async () => {
    storage = await backend.create();
    const dir = path.join(inject('tmpRoot'), `storage-db-${randomUUID().slice(0, 8)}`);
    database = await openDatabase({ databaseUrl: inject('databaseUrl') ?? undefined, pgliteDir: path.join(dir, 'pg') });
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database?.close();
    if (storage instanceof S3ArtifactStorage) storage.close();
  });

  it('round-trips a streamed object larger than one upload part, with its size and checksum', async () => {
    const size = 12 * MiB + 123;
    const expected = await sha256Of(bytes(size, 'round-trip'));
    const stored = await storage.put('round-trip/big.bin', bytes(size, 'round-trip'));
    expect(stored).toEqual({ key: 'round-trip/big.bin', sizeBytes: size, sha256: expected.sha256 });
    expect(await sha256Of((await storage.get('round-trip/big.bin'))!)).toEqual(expected);
    expect(await storage.head('round-trip/big.bin')).toMatchObject({ key: 'round-trip/big.bin', sizeBytes: size });
  });

  it('stores an empty object', async () => {
    const stored = await storage.put('round-trip/empty', Readable.from([], { objectMode: false }));
    expect(stored.sizeBytes).toBe(0);
    expect(await textOf(await storage.get('round-trip/empty'))).toBe('');
  });

  it('replaces an object written again at the same key', async () => {
    await storage.put('replace/a.txt', Readable.from([Buffer.from('first version')]));
    await storage.put('replace/a.txt', Readable.from([Buffer.from('second')]));
    expect(await textOf(await storage.get('replace/a.txt'))).toBe('second');
    expect((await storage.head('replace/a.txt'))?.sizeBytes).toBe(6);
  });

  it('keeps the previous object, and leaves no parts behind, when an upload fails midway', async () => {
    await storage.put('failing/a.txt', Readable.from([Buffer.from('good')]));
    let pushed = 0;
    // Fails after two upload parts' worth, so a multipart upload is under way when it does.
    const broken = new Readable({
      read() {
        if (pushed >= 11 * MiB) return void this.destroy(new Error('the sandbox went away'));
        pushed += MiB;
        this.push(Buffer.alloc(MiB, pushed));
      },
    });
    await expect(storage.put('failing/a.txt', broken)).rejects.toThrow('the sandbox went away');
    expect(await textOf(await storage.get('failing/a.txt'))).toBe('good');
    expect((await storage.list('failing/')).map((o) => o.key)).toEqual(['failing/a.txt']);
    if (storage instanceof S3ArtifactStorage) expect(await multipartUploadsOf(storage, 'failing/a.txt')).toEqual([]);
  });

  it('answers null for an object that does not exist', async () => {
    expect(await storage.get('missing/nothing.bin')).toBeNull();
    expect(await storage.head('missing/nothing.bin')).toBeNull();
  });

  it('lists exactly the objects under a prefix, sorted by key, across pages', async () => {
    for (const key of ['list/b/2.txt', 'list/a.txt', 'list/b/1.txt', 'list/c.txt', 'list/b/sub/3.txt', 'listing/other.txt', 'lis.txt']) {
      await storage.put(key, Readable.from([Buffer.from(key)]));
    }
    const listed = await storage.list('list/');
    expect(listed.map((o) => o.key)).toEqual(['list/a.txt', 'list/b/1.txt', 'list/b/2.txt', 'list/b/sub/3.txt', 'list/c.txt']);
    expect(listed[0]).toMatchObject({ sizeBytes: 'list/a.txt'.length });
    expect(listed[0]!.modifiedAt).toBeInstanceOf(Date);
    expect((await storage.list('list/b/')).map((o) => o.key)).toEqual(['list/b/1.txt', 'list/b/2.txt', 'list/b/sub/3.txt']);
    // A prefix that ends mid-name matches like S3's does.
    expect((await storage.list('listing')).map((o) => o.key)).toEqual(['listing/other.txt']);
    expect(await storage.list('nothing-here/')).toEqual([]);
  });

  it('deletes objects, and deleting one that is not there is no error', async () => {
    await storage.put('delete/a.txt', Readable.from([Buffer.from('a')]));
    await storage.delete('delete/a.txt');
    await storage.delete('delete/never-existed.txt');
    expect(await storage.get('delete/a.txt')).toBeNull();
    expect(await storage.list('delete/')).toEqual([]);
  });

  it('refuses keys that could leave the store', async () => {
    for (const key of ['../escape', '/absolute', 'a//b', 'a/../b', '.hidden', 'a/./b', '']) {
      await expect(storage.put(key, Readable.from([Buffer.from('x')])), key).rejects.toThrow(/Invalid storage key/);
      await expect(storage.get(key), key).rejects.toThrow(/Invalid storage key/);
    }
  });

  it(`hands out a presigned URL that downloads the object (${backend.name === 'local files' ? 'none: the API streams local files' : 'S3'})`, async () => {
    await storage.put('presigned/app.tar.gz', Readable.from([Buffer.from('archive bytes')]));
    const url = await storage.presignedGetUrl('presigned/app.tar.gz', { expiresInSeconds: 60, downloadName: 'my app.tar.gz', contentType: 'application/gzip' });
    if (storage.kind === 'local') {
      expect(url).toBeNull();
      return;
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+X-Amz-Signature=/);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('archive bytes');
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="my app.tar.gz"');
    // The signature covers the key: another key with the same query string is refused.
    const forged = url!.replace('presigned/app.tar.gz', 'presigned/other.tar.gz');
    expect((await fetch(forged)).status).toBe(403);
  });

  it('keeps the newest checkpoints of a build, deletes older and orphaned ones, and restores the newest', async () => {
    const { db } = database;
    const buildId = randomUUID();
    const userId = randomUUID();
    await insertUser(db, { id: userId, email: `${userId}@example.com`, name: null, passwordHash: 'x' });
    await insertBuild(db, {
      id: buildId,
      ownerId: userId,
      name: 'retention',
      specContent: 'spec',
      options: { model: 'm', maxIterations: 10, maxCostUsd: 1, deadline: null, stallLimit: 3, sandbox: 'local' },
      workflowId: `build-${buildId}`,
    });
    const workspace = fs.mkdtempSync(path.join(inject('tmpRoot'), 'workspace-'));
    fs.mkdirSync(path.join(workspace, 'src'));
    // A checkpoint left behind by an attempt that uploaded but never recorded it.
    await storage.put(checkpointKey(buildId, 99), Readable.from([Buffer.from('orphan')]));

    for (let iteration = 1; iteration <= 5; iteration++) {
      fs.writeFileSync(path.join(workspace, 'src', `session-${iteration}.txt`), `written in session ${iteration}\n`);
      await storeCheckpoint({ db, storage, checkpointRetention: 2 }, buildId, iteration, workspaceArchive(workspace));
    }

    const kept = await listCheckpoints(db, buildId);
    expect(kept.map((c) => c.iteration)).toEqual([5, 4]);
    expect(kept[0]).toMatchObject({ fileCount: 5, storageKey: checkpointKey(buildId, 5) });
    expect((await storage.list(checkpointPrefix(buildId))).map((o) => o.key)).toEqual(
      [checkpointKey(buildId, 4), indexKeyOf(checkpointKey(buildId, 4)), checkpointKey(buildId, 5), indexKeyOf(checkpointKey(buildId, 5))].sort(),
    );
    const stored = await sha256Of((await storage.get(kept[0]!.storageKey))!);
    expect(stored).toEqual({ sha256: kept[0]!.sha256, size: kept[0]!.sizeBytes });

    const restored = fs.mkdtempSync(path.join(inject('tmpRoot'), 'restored-'));
    await pipeline((await storage.get(kept[0]!.storageKey))!, tar.x({ cwd: restored }));
    expect(fs.readdirSync(path.join(restored, 'src')).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `session-${i}.txt`));

    // The artifact lives apart from the checkpoints, recorded with its file count.
    const artifact = await storeArtifact({ db, storage }, buildId, workspaceArchive(workspace));
    expect(await findArtifact(db, buildId)).toMatchObject({ storageKey: `builds/${buildId}/workspace.tar.gz`, sha256: artifact.sha256, fileCount: 5 });
    expect((await storage.list(checkpointPrefix(buildId))).length).toBe(4);
  });
});

describe('multipart part sizes', () => {
  it('start at the base size and double every 2,000 parts, so 10,000 parts hold over 300 GiB', () => {
    const base = 5 * MiB;
    expect([1, 2000, 2001, 4000, 4001, 10_000].map((n) => partSizeFor(base, n) / MiB)).toEqual([5, 5, 10, 10, 20, 80]);
    let total = 0;
    for (let n = 1; n <= 10_000; n++) total += partSizeFor(base, n);
    expect(total / 1024 ** 3).toBeGreaterThan(300);
  });
});

/** Multipart uploads of `key` started and never completed or aborted: parts a failed upload left behind. */
async function multipartUploadsOf(storage: S3ArtifactStorage, key: string): Promise<string[]> {
  const minio = inject('minio');
  const client = new S3Client({ region: minio.region, endpoint: minio.endpoint, forcePathStyle: true, credentials: minio });
  try {
    const res = await client.send(new ListMultipartUploadsCommand({ Bucket: storage.bucket, Prefix: key }));
    return (res.Uploads ?? []).map((u) => u.Key ?? '');
  } finally {
    client.destroy();
  }
}

function workspaceArchive(dir: string): Readable {
  return Readable.from(tar.create({ gzip: true, cwd: dir, portable: true }, ['.']), { objectMode: false });
}
