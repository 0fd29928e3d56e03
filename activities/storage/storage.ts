import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  sizeBytes: number;
  sha256: string;
}

/** Where artifacts (and later checkpoints) live: a local folder by default, S3 at scale. */
export interface ArtifactStorage {
  /** Streams `body` in; never holds it whole in memory. Replaces any object at `key` atomically. */
  put(key: string, body: Readable): Promise<StoredObject>;
  /** The object's bytes as a stream, or null when there is none. */
  get(key: string): Promise<Readable | null>;
  delete(key: string): Promise<void>;
}
