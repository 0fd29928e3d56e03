// Archiving a workspace that holds one large file (500 MB of random bytes, so gzip cannot shortcut
// it) through the local provider: how much the worker's memory grows while the archive streams
// out (target: under 64 MB), and its throughput next to `tar czf` on the same folder.
// BENCH_ARCHIVE_MB changes the file size.
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalSandboxProvider } from '../activities/sandbox/local.ts';

const FILE_MB = Number(process.env.BENCH_ARCHIVE_MB ?? 500);
const MEMORY_TARGET_MB = 64;
const MB = 1024 * 1024;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aap-archive-bench-'));
try {
  const provider = new LocalSandboxProvider({ root, network: false, allowUnisolated: true, defaultTimeoutMs: 60_000 });
  const { id } = await provider.create({ buildId: 'bench' });
  const workspace = path.join(root, id, 'workspace');
  writeRandomFile(path.join(workspace, 'big.bin'), FILE_MB);
  for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(workspace, `small-${i}.txt`), `file ${i}\n`.repeat(100));
  const inputMb = FILE_MB + (50 * 800) / MB;

  const ours = await measure(async () => {
    let bytes = 0;
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((bytes += chunk.length), done()) });
    await pipeline(await provider.archive(id), sink);
    return bytes;
  });
  const tar = await measure(() => tarCzf(workspace));

  const oursRate = inputMb / ours.seconds;
  const tarRate = inputMb / tar.seconds;
  console.log(`workspace: ${inputMb.toFixed(0)} MB (one ${FILE_MB} MB file of random bytes and 50 small files)`);
  console.log(`memory growth while archiving: RSS +${ours.rssGrowthMb.toFixed(1)} MB (target < ${MEMORY_TARGET_MB} MB: ${ours.rssGrowthMb < MEMORY_TARGET_MB ? 'met' : 'MISSED'}), heap+external +${ours.heapGrowthMb.toFixed(1)} MB`);
  console.log('  (heap+external includes spent buffers not yet collected: V8 collects them each time external memory grows by 64 MB)');
  console.log(`archive throughput: provider ${oursRate.toFixed(1)} MB/s, tar czf ${tarRate.toFixed(1)} MB/s, ratio ${(oursRate / tarRate).toFixed(2)} (1.00 = as fast as tar)`);
  console.log(`archive size: provider ${(ours.result / MB).toFixed(1)} MB, tar czf ${(tar.result / MB).toFixed(1)} MB`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}

/** Written in 4 MB chunks of fresh random bytes, never whole in memory. */
function writeRandomFile(file: string, megabytes: number): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(4 * MB);
  try {
    for (let written = 0; written < megabytes * MB; written += chunk.length) fs.writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, megabytes * MB - written));
  } finally {
    fs.closeSync(fd);
  }
}

/** Runs `fn`, sampling this process's memory every 10 ms; growth is the peak over the level just before. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; rssGrowthMb: number; heapGrowthMb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const heapNow = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
  };
  const base = { rss: process.memoryUsage().rss, heap: heapNow() };
  const peak = { ...base };
  const sample = () => {
    peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
    peak.heap = Math.max(peak.heap, heapNow());
  };
  const timer = setInterval(sample, 10);
  const started = process.hrtime.bigint();
  try {
    const result = await fn();
    sample();
    return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9, rssGrowthMb: (peak.rss - base.rss) / MB, heapGrowthMb: (peak.heap - base.heap) / MB };
  } finally {
    clearInterval(timer);
  }
}

/** `tar czf - -C dir .`, counting the bytes it writes. */
function tarCzf(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['czf', '-', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`tar czf exited with ${code}`))));
  });
}
