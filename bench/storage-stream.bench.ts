// Streaming a big workspace through storage. A 1 GB workspace (mostly random bytes, so gzip
// cannot shrink the work away) is archived by the local sandbox provider and stored in MinIO the
// way saveArtifact does it (tar.gz, indexed on the way, multipart upload); then it is downloaded
// as a zip converted on the fly, the way GET /artifact?format=zip serves it. Each step runs in a
// fresh process, so its peak memory growth (target: under 64 MB, since nothing is ever held
// whole) is its own; throughput is printed next to `tar czf` of the same folder.
// BENCH_WORKSPACE_MB changes the size.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { LocalSandboxProvider } from '../activities/sandbox/local.ts';
import { tarGzToZip } from '../activities/storage/archive-zip.ts';
import { S3ArtifactStorage } from '../activities/storage/s3.ts';
import { artifactKey, storeArchive } from '../activities/storage/workspace-archives.ts';
import { ensureTool, MINIO } from '../server/tool-binaries.ts';
import { createBucket, startMinio, type MinioAccess } from '../tests/support/minio-server.ts';
import { freePort } from '../tests/support/ports.ts';

const MB = 1024 * 1024;
const TARGET_MB = 64;
const KEY = artifactKey('bench');

type StepName = 'archive-only' | 'upload' | 'zip-download';
interface Step {
  name: StepName;
  sandboxRoot: string;
  sandboxId: string;
  minio: MinioAccess;
  bucket: string;
}
interface StepResult {
  peakGrowthMb: number;
  seconds: number;
  bytes: number;
  fileCount?: number;
}

if (process.env.BENCH_STEP) {
  const result = await runStep(JSON.parse(process.env.BENCH_STEP) as Step);
  console.log(JSON.stringify(result));
  process.exit(0);
}

const WORKSPACE_MB = Number(process.env.BENCH_WORKSPACE_MB ?? 1024);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aap-bench-storage-'));
const minio = await startMinio({ binary: await ensureTool(MINIO), port: await freePort(), dataDir: path.join(root, 'minio') });
try {
  const sandboxRoot = path.join(root, 'sandboxes');
  const { id: sandboxId } = await localSandboxes(sandboxRoot).create({ buildId: 'bench' });
  const workspace = path.join(sandboxRoot, sandboxId, 'workspace');

  // A few large files of random bytes (written by `head`, so no process here holds them), plus
  // a source tree of small text files like an agent's app.
  const bigFiles = 4;
  const sourceMb = 8;
  const bigMb = Math.floor((WORKSPACE_MB - sourceMb) / bigFiles);
  for (let i = 0; i < bigFiles; i++) {
    execFileSync('sh', ['-c', `head -c ${bigMb * MB} /dev/urandom > ${JSON.stringify(path.join(workspace, `asset-${i}.bin`))}`]);
  }
  const line = `export const value = ${JSON.stringify('x'.repeat(200))};\n`;
  for (let i = 0; i < 512; i++) {
    const dir = path.join(workspace, 'src', `module-${i % 32}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `file-${i}.ts`), line.repeat(Math.round((sourceMb * MB) / 512 / line.length)));
  }
  const workspaceMb = Number(execFileSync('du', ['-sb', workspace], { encoding: 'utf8' }).split('\t')[0]) / MB;
  const bucket = await createBucket(minio, 'bench');

  const step = (name: StepName): StepResult => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_STEP: JSON.stringify({ name, sandboxRoot, sandboxId, minio, bucket } satisfies Step) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return JSON.parse(out.trim().split('\n').pop()!) as StepResult;
  };
  const upload = step('upload');
  const zip = step('zip-download');
  const archiveOnly = step('archive-only');

  const tarFile = path.join(root, 'reference.tar.gz');
  const tarStarted = process.hrtime.bigint();
  execFileSync('tar', ['czf', tarFile, '-C', workspace, '.']);
  const tarSeconds = Number(process.hrtime.bigint() - tarStarted) / 1e9;

  const rate = (seconds: number) => `${(workspaceMb / seconds).toFixed(1)} MB/s`;
  const memory = (mb: number) => `peak memory growth ${mb.toFixed(1)} MB (${mb < TARGET_MB ? 'under' : 'OVER'} the ${TARGET_MB} MB target)`;
  console.log(`workspace: ${workspaceMb.toFixed(0)} MB, ${upload.fileCount} files (${bigFiles} random files of ${bigMb} MB, sources)`);
  console.log(`store in MinIO (tar.gz + index + multipart upload): ${upload.seconds.toFixed(1)} s, ${rate(upload.seconds)}, ${(upload.bytes / MB).toFixed(0)} MB stored; ${memory(upload.peakGrowthMb)}`);
  console.log(`  of which making the tar.gz (sandbox provider, no storage): ${archiveOnly.seconds.toFixed(1)} s, ${rate(archiveOnly.seconds)}; ${memory(archiveOnly.peakGrowthMb)}`);
  console.log(`zip converted on the fly from MinIO: ${zip.seconds.toFixed(1)} s, ${rate(zip.seconds)}, ${(zip.bytes / MB).toFixed(0)} MB; ${memory(zip.peakGrowthMb)}`);
  console.log(`reference \`tar czf\` of the same folder to local disk: ${tarSeconds.toFixed(1)} s, ${rate(tarSeconds)}, ${(fs.statSync(tarFile).size / MB).toFixed(0)} MB`);
} finally {
  await minio.stop();
  fs.rmSync(root, { recursive: true, force: true });
}

function localSandboxes(sandboxRoot: string): LocalSandboxProvider {
  return new LocalSandboxProvider({ root: sandboxRoot, network: false, allowUnisolated: true, defaultTimeoutMs: 60_000, warn: () => {} });
}

/** One step, in this fresh process: warmed up first, so loading code does not count as growth. */
async function runStep(step: Step): Promise<StepResult> {
  const sandboxes = localSandboxes(step.sandboxRoot);
  const storage = new S3ArtifactStorage({ ...step.minio, bucket: step.bucket });
  await storage.head(KEY);
  const discard = (count: (n: number) => void) => new Writable({ write: (chunk: Buffer, _enc, done) => (count(chunk.length), done()) });

  let bytes = 0;
  let fileCount: number | undefined;
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const started = process.hrtime.bigint();
  if (step.name === 'upload') {
    const stored = await storeArchive(storage, KEY, await sandboxes.archive(step.sandboxId, { exclude: ['node_modules'] }));
    bytes = stored.sizeBytes;
    fileCount = stored.fileCount;
  } else if (step.name === 'zip-download') {
    await pipeline(tarGzToZip((await storage.get(KEY))!, () => storage.get(KEY)), discard((n) => (bytes += n)));
  } else {
    await pipeline(await sandboxes.archive(step.sandboxId, { exclude: ['node_modules'] }), discard((n) => (bytes += n)));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  storage.close();
  return { peakGrowthMb: (peak - baseline) / MB, seconds, bytes, fileCount };
}
