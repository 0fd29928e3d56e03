import type { Readable } from 'node:stream';

export { CommandFailedError, CommandTimeoutError, SandboxError, SandboxLostError, SandboxPathError, SandboxUnavailableError, SandboxUnisolatedError } from './errors.ts';
export type { SandboxErrorCode } from './errors.ts';

/** Where the workspace appears inside every sandbox, whatever the provider. */
export const SANDBOX_WORKSPACE = '/workspace';

export type SandboxStatus = 'running' | 'paused' | 'gone';

/** Stored with the sandbox, so the orphan reaper can tell which build it belongs to. */
export interface SandboxMeta {
  buildId: string;
}

export interface SandboxInfo {
  id: string;
  buildId: string;
}

export interface SandboxListing extends SandboxInfo {
  status: Exclude<SandboxStatus, 'gone'>;
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
  /** The command was killed because `signal` aborted. */
  aborted: boolean;
  /** Bytes the command wrote in all; stdout/stderr are cut at the provider's output cap. */
  outputBytes: number;
  truncated: boolean;
}

export interface FileEntry {
  name: string;
  /** Relative to the workspace root. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits, e.g. 0o755. */
  mode: number;
  /** Where a symlink points, as stored (never followed). */
  target?: string;
}

/**
 * The sandbox a build's agent works in. Paths are relative to the workspace root (or absolute
 * under /workspace); a path that leaves the workspace throws SandboxPathError. A sandbox that no
 * longer exists throws SandboxLostError from every method but `status` and `destroy`.
 */
export interface SandboxProvider {
  readonly name: 'local' | 'e2b';
  /** Whether `pause` really stops something (E2B snapshots the VM; local sandboxes run nothing between commands). */
  readonly supportsPause: boolean;
  /** A sandbox for the build; calling it again for the same build returns the live one rather than a second. */
  create(meta: SandboxMeta): Promise<SandboxInfo>;
  /** Reattaches to an existing sandbox by id, resuming it when paused. */
  connect(sandboxId: string): Promise<SandboxInfo>;
  status(sandboxId: string): Promise<SandboxStatus>;
  /** Runs `command` with bash in the workspace. A non-zero exit, a timeout or an abort is a result, not an error. */
  exec(sandboxId: string, command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** The file's text, or null when it does not exist. */
  readFile(sandboxId: string, path: string): Promise<string | null>;
  writeFile(sandboxId: string, path: string, content: string | Uint8Array): Promise<void>;
  /** The entries of a directory (not recursive), or null when it does not exist. */
  listFiles(sandboxId: string, path?: string): Promise<FileEntry[] | null>;
  /** A directory of the workspace (default: all of it) as a gzipped tar stream, never buffered whole. Symlinks are stored as links. */
  archive(sandboxId: string, opts?: { path?: string; exclude?: string[] }): Promise<Readable>;
  /** Replaces a directory's contents (default: the workspace) with a gzipped tar stream made by `archive`. */
  extract(sandboxId: string, archive: Readable, opts?: { path?: string }): Promise<void>;
  /** Stops the sandbox costing anything while its build is paused; any later call resumes it. */
  pause(sandboxId: string): Promise<void>;
  resume(sandboxId: string): Promise<void>;
  /** Pushes the sandbox's expiry back (E2B lifetime); call it from heartbeats of long activities. */
  keepAlive(sandboxId: string): Promise<void>;
  /** A URL that reaches `port` inside the sandbox from outside, or null when this sandbox cannot expose ports. */
  previewUrl(sandboxId: string, port: number): Promise<string | null>;
  /** Every sandbox this provider manages (running or paused), for the orphan reaper. */
  list(): Promise<SandboxListing[]>;
  /** Deletes the sandbox and everything in it; a sandbox already gone is not an error. */
  destroy(sandboxId: string): Promise<void>;
}
