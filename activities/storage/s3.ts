import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { MeasuringStream } from './measuring-stream.ts';
import { uploadStream } from './s3-upload.ts';
import { assertValidKey, contentTypeOf, StorageConfigError, type ArtifactStorage, type ObjectInfo, type PresignOptions, type StoredObject } from './storage.ts';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** Any S3-compatible endpoint (MinIO, R2, ...); AWS S3 when omitted. */
  endpoint?: string;
  /** The SDK's default credential chain (environment, profile, instance role) when omitted. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Multipart part size; an upload holds (queueSize + 1) parts in memory. */
  partSizeBytes?: number;
  /** Parts uploaded at once. */
  queueSize?: number;
  /** Keys per ListObjectsV2 page (S3's own maximum is 1000); smaller in tests to exercise paging. */
  listPageSize?: number;
}

// S3's smallest part, two in flight: an upload holds at most 15 MiB of part buffers for the
// first 10 GiB (parts grow after that; see s3-upload.ts), and a workspace's tar.gz is produced
// more slowly than two parallel requests carry it.
const DEFAULT_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_QUEUE_SIZE = 2;

/** Objects in one bucket of any S3-compatible store, uploaded as streamed multipart uploads. */
export class S3ArtifactStorage implements ArtifactStorage {
  readonly kind = 's3';
  private readonly client: S3Client;

  get bucket(): string {
    return this.opts.bucket;
  }

  constructor(private readonly opts: S3StorageOptions) {
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      // Custom endpoints (MinIO above all) serve buckets by path, not as DNS subdomains.
      forcePathStyle: !!opts.endpoint,
      credentials: opts.accessKeyId && opts.secretAccessKey ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } : undefined,
      // The SDK's default CRC checksums on every request are not implemented by every
      // S3-compatible store; we keep our own SHA-256 of every object instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Fails with what to fix when the bucket is missing, the credentials are refused or the endpoint does not answer. */
  async verifyBucket(): Promise<void> {
    const where = `S3_BUCKET=${this.opts.bucket}${this.opts.endpoint ? ` at S3_ENDPOINT=${this.opts.endpoint}` : ''}`;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.opts.bucket }));
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) throw new StorageConfigError(`The bucket ${where} does not exist. Create it, or correct S3_BUCKET.`);
      if (status === 401 || status === 403) {
        throw new StorageConfigError(`Access to ${where} was refused (HTTP ${status}). Check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and S3_REGION.`);
      }
      throw new StorageConfigError(`The S3 store for ${where} could not be reached: ${(err as Error).message}. Check S3_ENDPOINT and S3_REGION.`);
    }
  }

  async put(key: string, body: Readable): Promise<StoredObject> {
    assertValidKey(key);
    const measure = new MeasuringStream();
    // An error in `body` destroys `measure`, which fails (and aborts) the upload reading it.
    const piping = pipeline(body, measure);
    const uploading = uploadStream(this.client, { bucket: this.opts.bucket, key, contentType: contentTypeOf(key) }, measure, {
      partSizeBytes: this.opts.partSizeBytes ?? DEFAULT_PART_SIZE,
      concurrency: this.opts.queueSize ?? DEFAULT_QUEUE_SIZE,
    });
    try {
      await Promise.all([uploading, piping]);
    } catch (err) {
      body.destroy();
      measure.destroy();
      await uploading.catch(() => {});
      throw err;
    }
    return { key, sizeBytes: measure.sizeBytes, sha256: measure.sha256() };
  }

  async get(key: string): Promise<Readable | null> {
    assertValidKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      // In Node the SDK's body is an http.IncomingMessage, a Readable.
      return res.Body as Readable;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      return { key, sizeBytes: res.ContentLength ?? 0, modifiedAt: res.LastModified ?? new Date(0) };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: this.opts.listPageSize ?? 1000 }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key) found.push({ key: o.Key, sizeBytes: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key }));
  }

  async presignedGetUrl(key: string, opts: PresignOptions): Promise<string> {
    assertValidKey(key);
    const command = new GetObjectCommand({
      Bucket: this.opts.bucket,
      Key: key,
      ResponseContentType: opts.contentType,
      ResponseContentDisposition: opts.downloadName ? `attachment; filename="${opts.downloadName.replace(/["\\\r\n]/g, '_')}"` : undefined,
    });
    return getSignedUrl(this.client, command, { expiresIn: opts.expiresInSeconds });
  }

  close(): void {
    this.client.destroy();
  }
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode;
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
