import { PassThrough, type Readable } from 'node:stream';
import type { ArtifactStorage } from '../activities/storage/storage.ts';
import { ApiError } from './errors.ts';

const unavailable = (err: unknown) =>
  new ApiError(
    503,
    'storage_unavailable',
    `The artifact store did not answer (${err instanceof Error ? err.message.slice(0, 200) : String(err)}). Try again shortly; if it persists, an operator should check the store (S3_ENDPOINT, S3 credentials, or DATA_DIR).`,
  );

/**
 * The store as the API reads it: any failure of the store itself (unreachable endpoint, refused
 * credentials, a disk error), whether it happens when a read starts or while its bytes stream,
 * becomes a 503 a client may retry, instead of a 500. A missing object is still `null`.
 */
export function withOutagesAs503(storage: ArtifactStorage): ArtifactStorage {
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw unavailable(err);
    }
  };
  return {
    kind: storage.kind,
    put: (key, body) => storage.put(key, body),
    delete: (key) => storage.delete(key),
    head: (key) => guard(() => storage.head(key)),
    list: (prefix) => guard(() => storage.list(prefix)),
    presignedGetUrl: (key, opts) => guard(() => storage.presignedGetUrl(key, opts)),
    get: async (key) => {
      const body = await guard(() => storage.get(key));
      return body && relabelErrors(body);
    },
  };
}

function relabelErrors(body: Readable): Readable {
  const out = new PassThrough();
  body.on('error', (err) => out.destroy(unavailable(err)));
  // A reader that stops early (a file found, a client gone) releases the store's stream too.
  out.on('close', () => body.destroy());
  body.pipe(out);
  return out;
}
