import type { Readable } from 'node:stream';

export interface SandboxInfo {
  id: string;
  buildId: string;
}

export interface ExecOptions {
  /** Kill the command (and everything it started) after this long. */
  timeoutMs?: number;
  /** Aborting kills the command the same way a timeout does. */
  signal?: AbortSignal;
  /** Called with output as it arrives, for heartbeats and live views. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Working directory relative to the workspace root. */
  cwd?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Bytes the command wrote in all; stdout/stderr are cut at the provider's output cap. */
  outputBytes: number;
  truncated: boolean;
}

export type SandboxStatus = 'running' | 'paused' | 'gone';

/** The sandbox a build's agent works in. Paths are relative to the workspace root. */
export interface SandboxProvider {
  readonly name: 'local' | 'e2b';
  create(meta: { buildId: string }): Promise<SandboxInfo>;
  status(sandboxId: string): Promise<SandboxStatus>;
  exec(sandboxId: string, command: string, opts?: ExecOptions): Promise<ExecResult>;
  readFile(sandboxId: string, path: string): Promise<string | null>;
  writeFile(sandboxId: string, path: string, content: string): Promise<void>;
  /** The workspace as a gzipped tar stream (never buffered whole). */
  archive(sandboxId: string, opts?: { exclude?: string[] }): Promise<Readable>;
  /** Replaces the workspace's contents with a gzipped tar stream made by `archive`. */
  extract(sandboxId: string, archive: Readable): Promise<void>;
  destroy(sandboxId: string): Promise<void>;
}

/** The sandbox no longer exists (expired, deleted): recreate it from a checkpoint. */
export class SandboxLostError extends Error {
  override name = 'SandboxLost';
}

/** A path that would leave the workspace. */
export class SandboxPathError extends Error {
  override name = 'SandboxPathError';
}
