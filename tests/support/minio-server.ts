import { spawn } from 'node:child_process';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** Where a test reaches the run's MinIO, and as whom. */
export interface MinioAccess {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface MinioServer extends MinioAccess {
  stop(): Promise<void>;
}

// As for the Temporal dev server: MinIO runs under a shell watchdog holding a pipe from us, so
// when this process ends in any way (SIGKILL included) MinIO is stopped and never orphaned.
const WATCHDOG = `"$@" </dev/null & child=$!
trap 'kill -TERM $child 2>/dev/null' INT TERM
read _ignored || true
kill -TERM $child 2>/dev/null
wait $child`;

/** A single-drive MinIO on 127.0.0.1:`port`, storing into `dataDir`, ready when this resolves. */
export async function startMinio(opts: { binary: string; port: number; dataDir: string }): Promise<MinioServer> {
  const access: MinioAccess = { endpoint: `http://127.0.0.1:${opts.port}`, region: 'us-east-1', accessKeyId: 'aap-test', secretAccessKey: 'aap-test-secret' };
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'minio-watchdog', opts.binary, 'server', '--quiet', '--address', `127.0.0.1:${opts.port}`, opts.dataDir], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: {
      ...process.env,
      MINIO_ROOT_USER: access.accessKeyId,
      MINIO_ROOT_PASSWORD: access.secretAccessKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
    },
  });
  let stderr = '';
  watchdog.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async () => {
    watchdog.stdin?.end();
    const timeout = setTimeout(() => watchdog.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`MinIO exited during start-up:\n${stderr}`);
    const ready = await fetch(`${access.endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ready) return { ...access, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`MinIO did not answer on ${access.endpoint} within 60 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A fresh bucket, so each test file's objects stay apart from the others'. */
export async function createBucket(minio: MinioAccess, name: string): Promise<string> {
  const client = new S3Client({
    region: minio.region,
    endpoint: minio.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
  return name;
}

/** The platform's S3_* settings for `bucket` on the run's MinIO. */
export function minioEnv(minio: MinioAccess, bucket: string): Record<string, string> {
  return { S3_BUCKET: bucket, S3_ENDPOINT: minio.endpoint, S3_REGION: minio.region, S3_ACCESS_KEY_ID: minio.accessKeyId, S3_SECRET_ACCESS_KEY: minio.secretAccessKey };
}
