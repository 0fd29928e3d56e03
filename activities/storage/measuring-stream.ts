import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through unchanged while counting them and hashing them with SHA-256. */
export class MeasuringStream extends Transform {
  sizeBytes = 0;
  private readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.sizeBytes += chunk.length;
    done(null, chunk);
  }

  /** The hex digest; call once, after the stream has ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
