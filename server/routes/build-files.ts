import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { z } from 'zod';
import { ArchiveBrowseError, listArchiveFolder, readArchiveTextFile, type BrowseFailure } from '../../activities/storage/archive-browse.ts';
import { tarGzToZip } from '../../activities/storage/archive-zip.ts';
import type { ArtifactStorage } from '../../activities/storage/storage.ts';
import { findArtifact } from '../../db/artifacts.ts';
import { findOwnedBuild } from '../../db/builds.ts';
import { listCheckpoints } from '../../db/checkpoints.ts';
import type { Db } from '../../db/connect.ts';
import type { AppEnv } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { folderListing } from '../api-schemas.ts';
import { route } from '../openapi.ts';
import { idParam, text, validate } from '../validation.ts';

const TAG = 'Build files';

/** Presigned download links live just long enough for the browser to follow the redirect. */
const DOWNLOAD_URL_SECONDS = 300;
/** Folder listings stop here (and say so): a browser view, not an export. */
const MAX_LISTED_ENTRIES = 5000;
/** Files shown in the browser are at most this big; larger ones are downloaded with the workspace. */
export const MAX_VIEWED_FILE_BYTES = 1024 * 1024;

/** A path inside the workspace: relative, never climbing out; `''` is the workspace root. */
const workspacePath = text()
  .max(4096, 'must be at most 4096 characters')
  .refine((p) => !p.startsWith('/') && !p.startsWith('\\'), 'must be relative to the workspace root, not absolute')
  .refine((p) => !p.split(/[/\\]/).includes('..'), "must not contain '..'")
  .transform((p) => p.split('/').filter((s) => s !== '' && s !== '.').join('/'));

const artifactQuery = z.strictObject({ format: z.enum(['tar.gz', 'zip']).default('tar.gz') });
const folderQuery = z.strictObject({ path: workspacePath.optional() });
const fileQuery = z.strictObject({ path: workspacePath.refine((p) => p !== '', 'must name a file') });

const failures: Record<BrowseFailure, { status: 400 | 404 | 413 | 422; code: string }> = {
  outside_workspace: { status: 400, code: 'invalid_input' },
  not_a_folder: { status: 400, code: 'not_a_folder' },
  not_a_file: { status: 400, code: 'not_a_file' },
  not_found: { status: 404, code: 'not_found' },
  archive_missing: { status: 404, code: 'archive_missing' },
  too_large: { status: 413, code: 'file_too_large' },
  binary: { status: 422, code: 'binary_file' },
};

/**
 * The build's workspace: the artifact as tar.gz (streamed, or a redirect to the store) or as a
 * zip converted on the fly, and browsing of its newest saved state without downloading it.
 * Mounted inside the builds router, whose auth middleware covers these routes too.
 */
export function buildFileRoutes(db: Db, storage: ArtifactStorage) {
  const ownedBuild = async (userId: string, id: string) => {
    const build = await findOwnedBuild(db, userId, id);
    if (!build) throw notFound('Build');
    return build;
  };
  const archiveMissing = () => new ApiError(404, 'archive_missing', 'The stored workspace archive is missing from storage; an operator should check the artifact store.');

  return new Hono<AppEnv>()
    .get(
      '/:id/artifact',
      route(TAG, "Download the build's workspace as tar.gz or zip", { status: 200, description: 'The archive (S3 storage: a 302 to a presigned URL for tar.gz)', contentType: 'application/octet-stream' }, [401, 404, 503], {
        description: '404 until the artifact exists: it is saved when the build completes, is cancelled or fails.',
      }),
      validate('param', idParam),
      validate('query', artifactQuery),
      async (c) => {
        const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
        const artifact = await findArtifact(db, build.id);
        if (!artifact) throw new ApiError(404, 'not_found', 'This build has no artifact yet: it is saved when the build completes, is cancelled or fails.');
        const baseName = `${slug(build.name)}-${build.id.slice(0, 8)}`;
        const key = artifact.storageKey;

        if (c.req.valid('query').format === 'zip') {
          const archive = await storage.get(key);
          if (!archive) throw archiveMissing();
          const zip = tarGzToZip(archive, () => storage.get(key));
          return new Response(Readable.toWeb(zip) as ReadableStream, {
            headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${baseName}.zip"` },
          });
        }

        // S3: the browser downloads straight from the store, sparing the API the bytes.
        const url = await storage.presignedGetUrl(key, { expiresInSeconds: DOWNLOAD_URL_SECONDS, downloadName: `${baseName}.tar.gz`, contentType: 'application/gzip' });
        if (url) {
          if (!(await storage.head(key))) throw archiveMissing();
          c.header('cache-control', 'no-store');
          return c.redirect(url, 302);
        }
        const body = await storage.get(key);
        if (!body) throw archiveMissing();
        return new Response(Readable.toWeb(body) as ReadableStream, {
          headers: {
            'content-type': 'application/gzip',
            'content-disposition': `attachment; filename="${baseName}.tar.gz"`,
            'content-length': String(artifact.sizeBytes),
            etag: `"${artifact.sha256}"`,
          },
        });
      },
    )
    .get(
      '/:id/files',
      route(TAG, 'List a folder of the newest saved workspace (the artifact, or the latest checkpoint)', { status: 200, description: 'The folder', schema: folderListing }, [401, 404, 503]),
      validate('param', idParam),
      validate('query', folderQuery),
      async (c) => {
        const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
        const source = await latestWorkspace(db, build.id);
        const requested = c.req.valid('query').path ?? '';
        const listing = await browse(() => listArchiveFolder(storage, source, requested, MAX_LISTED_ENTRIES));
        return c.json({ source: source.view, ...listing });
      },
    )
    .get(
      '/:id/files/content',
      route(TAG, 'One text file of the newest saved workspace, up to 1 MB', { status: 200, description: 'The file as text/plain', contentType: 'text/plain' }, [401, 404, 413, 422, 503]),
      validate('param', idParam),
      validate('query', fileQuery),
      async (c) => {
        const build = await ownedBuild(c.get('user').id, c.req.valid('param').id);
        const source = await latestWorkspace(db, build.id);
        const file = await browse(() => readArchiveTextFile(storage, source, c.req.valid('query').path, MAX_VIEWED_FILE_BYTES));
        return c.text(file.text, 200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      },
    );
}

/**
 * The newest saved state of the workspace: the artifact, or the latest checkpoint while the
 * build has none yet (or when a resumed build has checkpointed since its last artifact).
 */
async function latestWorkspace(db: Db, buildId: string) {
  const [artifact, [checkpoint]] = await Promise.all([findArtifact(db, buildId), listCheckpoints(db, buildId)]);
  if (artifact && (!checkpoint || artifact.createdAt.getTime() >= Date.parse(checkpoint.createdAt))) {
    return {
      key: artifact.storageKey,
      sha256: artifact.sha256,
      view: { kind: 'artifact' as const, iteration: null, createdAt: artifact.createdAt.toISOString(), fileCount: artifact.fileCount },
    };
  }
  if (checkpoint) {
    return {
      key: checkpoint.storageKey,
      sha256: checkpoint.sha256,
      view: { kind: 'checkpoint' as const, iteration: checkpoint.iteration, createdAt: checkpoint.createdAt, fileCount: checkpoint.fileCount },
    };
  }
  throw new ApiError(404, 'not_found', 'This build has no saved workspace yet: the first one is checkpointed when its first session ends.');
}

async function browse<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof ArchiveBrowseError)) throw err;
    const { status, code } = failures[err.reason];
    throw new ApiError(status, code, err.message);
  }
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'build';
}
