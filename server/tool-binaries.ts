import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tar from 'tar';

const run = promisify(execFile);

/** A pinned external binary that is not on npm and that the project installs itself. */
export interface ToolSpec {
  name: string;
  version: string;
  /** Environment variable naming an existing binary, checked first. */
  envVar: string;
  goPackage: string;
  /** A release archive (tar.gz) holding the binary, for machines with internet but no Go. */
  releaseUrl?: (platform: NodeJS.Platform, arch: string) => string | null;
}

export const TEMPORAL_CLI: ToolSpec = {
  name: 'temporal',
  version: 'v1.5.1',
  envVar: 'TEMPORAL_CLI_PATH',
  goPackage: 'github.com/temporalio/cli/cmd/temporal',
  releaseUrl: (platform, arch) => {
    const a = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : null;
    if (!a || (platform !== 'linux' && platform !== 'darwin')) return null;
    return `https://github.com/temporalio/cli/releases/download/v1.5.1/temporal_cli_1.5.1_${platform}_${a}.tar.gz`;
  },
};

// MinIO tags releases by date, so the Go module proxy knows them by pseudo-version only.
export const MINIO: ToolSpec = {
  name: 'minio',
  version: 'v0.0.0-20260212201848-7aac2a2c5b7c',
  envVar: 'MINIO_PATH',
  goPackage: 'github.com/minio/minio',
};

/** Git-ignored cache at the project root, shared by `npm start`, the tests and CI. */
export const TOOLS_DIR = process.env.TOOLS_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.tools');

export class ToolUnavailableError extends Error {
  override name = 'ToolUnavailableError';
}

/**
 * Finds the tool or installs it, in this order: the env var, PATH, the project cache,
 * `go install` (Go module proxy), the release archive. Fails with what to install.
 */
export async function ensureTool(spec: ToolSpec, log: (msg: string) => void = () => {}): Promise<string> {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new ToolUnavailableError(`${spec.envVar}=${fromEnv} is not an executable file.`);
    return fromEnv;
  }
  const onPath = findOnPath(spec.name);
  if (onPath) return onPath;
  const cached = cachedPath(spec);
  if (isExecutable(cached)) return cached;

  const attempts: string[] = [];
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  if (findOnPath('go')) {
    log(`Installing ${spec.name} ${spec.version} with go install (first run only; this takes a few minutes)...`);
    try {
      await goInstall(spec, cached);
      return cached;
    } catch (err) {
      attempts.push(`go install ${spec.goPackage}@${spec.version} failed: ${(err as Error).message.split('\n').slice(-5).join(' ')}`);
    }
  } else {
    attempts.push('Go is not installed, so go install was not tried');
  }
  const url = spec.releaseUrl?.(process.platform, process.arch);
  if (url) {
    log(`Downloading ${spec.name} ${spec.version} from ${url}...`);
    try {
      await downloadRelease(url, spec.name, cached);
      return cached;
    } catch (err) {
      attempts.push(`download of ${url} failed: ${(err as Error).message}`);
    }
  }
  throw new ToolUnavailableError(
    `The ${spec.name} binary (${spec.version}) is needed and could not be installed:\n  - ${attempts.join('\n  - ')}\n` +
      `Install Go >= 1.24 (then it is built automatically), or run\n  go install ${spec.goPackage}@${spec.version}\n` +
      `and put it on PATH, or set ${spec.envVar} to an existing ${spec.name} binary.`,
  );
}

export function cachedPath(spec: ToolSpec): string {
  return path.join(TOOLS_DIR, `${spec.name}-${spec.version}`, spec.name);
}

async function goInstall(spec: ToolSpec, target: string): Promise<void> {
  // Build into a private folder and rename, so two processes installing at once never see half a binary.
  const gobin = fs.mkdtempSync(path.join(path.dirname(target), '.install-'));
  try {
    await run('go', ['install', `${spec.goPackage}@${spec.version}`], {
      cwd: os.tmpdir(),
      env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
      maxBuffer: 64 * 1024 * 1024,
    });
    fs.renameSync(path.join(gobin, spec.name), target);
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
}

async function downloadRelease(url: string, binary: string, target: string): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const dir = fs.mkdtempSync(path.join(path.dirname(target), '.download-'));
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), tar.x({ cwd: dir }));
    fs.chmodSync(path.join(dir, binary), 0o755);
    fs.renameSync(path.join(dir, binary), target);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = found.stdout.trim();
  return found.status === 0 && p && isExecutable(p) ? p : null;
}
