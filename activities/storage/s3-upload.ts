import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

const PARTS_PER_SIZE = 2000;

export interface UploadTarget {
  bucket: string;
  key: string;
  contentType: string;
}

/**
 * Streams `body` into one S3 object through a multipart upload, holding at most
 * (concurrency + 1) part buffers, reused part after part. A body smaller than one part goes up in
 * a single PutObject. A failure aborts the upload, so no parts are left behind and any object
 * already at the key stays as it was.
 *
 * S3 allows 10,000 parts, so the part size doubles every 2,000 parts: 5 MiB parts cover the
 * first 10 GiB cheaply, and an object can still grow past 300 GiB.
 *
 * Written here rather than with @aws-sdk/lib-storage, whose chunker concatenates incoming chunks
 * into fresh buffers for every part: with the garbage that leaves until V8 collects it, storing a
 * 1 GB workspace peaked at ~90 MB of memory (bench/storage-stream.bench.ts), against ~55 MB here,
 * most of it the tar.gz stream itself.
 */
export async function uploadStream(client: S3Client, target: UploadTarget, body: Readable, opts: { partSizeBytes: number; concurrency: number }): Promise<void> {
  const { bucket: Bucket, key: Key, contentType: ContentType } = target;
  const partSize = (partNumber: number) => partSizeFor(opts.partSizeBytes, partNumber);
  const source = chunksOf(body);
  const first = Buffer.allocUnsafe(partSize(1));
  const firstLength = await source.fill(first);
  if (firstLength < first.length) {
    await client.send(new PutObjectCommand({ Bucket, Key, ContentType, Body: first.subarray(0, firstLength), ContentLength: firstLength }));
    return;
  }

  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType }));
  if (!UploadId) throw new Error(`The S3 store started no multipart upload for ${Key}`);
  const parts: CompletedPart[] = [];
  let free: Buffer[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  try {
    let buffer: Buffer = first;
    let length = firstLength;
    for (let PartNumber = 1; length > 0; PartNumber++) {
      const part = buffer;
      const sending = client
        .send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: part.subarray(0, length), ContentLength: length }))
        .then(
          (res) => {
            parts.push({ PartNumber, ETag: res.ETag });
            free.push(part);
          },
          (err: unknown) => {
            failure ??= err;
          },
        )
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      if (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
      if (failure) throw failure;
      if (length < part.length) break; // That was the last, short part.
      const size = partSize(PartNumber + 1);
      free = free.filter((b) => b.length === size); // Outgrown buffers are let go.
      buffer = free.pop() ?? Buffer.allocUnsafe(size);
      length = await source.fill(buffer);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (err) {
    body.destroy();
    await Promise.allSettled(inFlight);
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => {});
    throw err;
  }
}

/** The size of part `partNumber` (1-based): `base`, doubled every 2,000 parts. */
export function partSizeFor(base: number, partNumber: number): number {
  return base * 2 ** Math.floor((partNumber - 1) / PARTS_PER_SIZE);
}

/** Reads a stream into caller-owned buffers, carrying over what does not fit. */
function chunksOf(body: Readable) {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let carried: Buffer | null = null;
  return {
    /** Fills `target` from the stream; returns the bytes written, fewer than its length only at the end. */
    async fill(target: Buffer): Promise<number> {
      let filled = 0;
      while (filled < target.length) {
        if (!carried) {
          const next = await chunks.next();
          if (next.done) break;
          carried = next.value;
        }
        const take = Math.min(carried.length, target.length - filled);
        carried.copy(target, filled, 0, take);
        filled += take;
        carried = take < carried.length ? carried.subarray(take) : null;
      }
      return filled;
    },
  };
}
