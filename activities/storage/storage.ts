import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  sizeBytes: number;
  sha256: string;
}

export interface ObjectInfo {
  key: string;
  sizeBytes: number;
  modifiedAt: Date;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** The file name a browser saves the download as. */
  downloadName?: string;
  contentType?: string;
}

/**
 * Where artifacts and checkpoints live: a local folder by default, any S3-compatible store at
 * scale. Keys are `/`-separated paths of plain names (`builds/<id>/workspace.tar.gz`).
 */
export interface ArtifactStorage {
  readonly kind: 'local' | 's3';
  /** Streams `body` in; never holds it whole in memory. Replaces any object at `key` atomically. */
  put(key: string, body: Readable): Promise<StoredObject>;
  /** The object's bytes as a stream, or null when there is none. */
  get(key: string): Promise<Readable | null>;
  /** Size and time of the object, or null when there is none. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Every object whose key starts with `prefix`, sorted by key. Prefixes are one build's, so the list is short. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Removes the object; removing one that does not exist is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A URL that serves the object directly to whoever holds it until it expires, or null when this
   * store has no such URLs (local files: the API streams them itself).
   */
  presignedGetUrl(key: string, opts: PresignOptions): Promise<string | null>;
}

/** The store cannot be used as configured (missing bucket, refused credentials, unreachable endpoint). */
export class StorageConfigError extends Error {
  override name = 'StorageConfigError';
}

/** Keys are plain names joined by `/`: no empty, `.`-led or `..` segments, so they map safely onto files. */
export function assertValidKey(key: string): void {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(key)) {
    throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
  }
}

export function contentTypeOf(key: string): string {
  return key.endsWith('.gz') ? 'application/gzip' : 'application/octet-stream';
}
