import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { GIT_IDENTITY, runAgentCommand, runHousekeeping, SANDBOX_USER } from './e2b-commands.ts';
import { classifyE2BError, e2bSdk, type E2BApi, type E2BSandbox, type EntryInfo } from './e2b-sdk.ts';
import { SandboxError, SandboxLostError, SandboxUnavailableError } from './errors.ts';
import { SANDBOX_WORKSPACE, type ExecOptions, type ExecResult, type FileEntry, type SandboxInfo, type SandboxListing, type SandboxMeta, type SandboxProvider, type SandboxStatus } from './provider.ts';
import { sandboxPath, workspaceRelative } from './workspace-path.ts';

export interface E2BSandboxOptions {
  apiKey: string;
  /** Template name or id; empty: the SDK's default (code-interpreter, with Python and Node). */
  template?: string;
  /** How long a sandbox lives past its last use; every use and heartbeat pushes its end back this far. */
  lifetimeMs: number;
  network: boolean;
  defaultTimeoutMs: number;
  maxOutputBytes?: number;
  /** The SDK; tests pass an emulation. */
  sdk?: E2BApi;
  warn?: (message: string) => void;
}

/** Metadata that marks our sandboxes in a shared E2B account. */
const PLATFORM_TAG = { platform: 'autonomous-agents-platform' };
const KEEPALIVE_EVERY_MS = 60_000;

/**
 * Cloud sandboxes on E2B (JS SDK v2): a microVM per build with the workspace at /workspace.
 * A sandbox gets an explicit lifetime at creation that every use pushes back, so one whose build
 * stopped using it (a crashed worker, a build left paused) expires on its own.
 */
export class E2BSandboxProvider implements SandboxProvider {
  readonly name = 'e2b' as const;
  readonly supportsPause = true;
  private readonly sdk: E2BApi;
  private readonly maxOutputBytes: number;
  /** Connected SDK handles by sandbox id; dropped on pause, loss or any doubt. */
  private readonly connected = new Map<string, Promise<E2BSandbox>>();
  private readonly lastExtended = new Map<string, number>();

  constructor(private readonly opts: E2BSandboxOptions) {
    this.sdk = opts.sdk ?? e2bSdk;
    this.maxOutputBytes = opts.maxOutputBytes ?? 1024 * 1024;
  }

  private get api() {
    return { apiKey: this.opts.apiKey };
  }

  async create(meta: SandboxMeta): Promise<SandboxInfo> {
    // A retried create finds the sandbox its first attempt made rather than paying for a second one.
    const [keep, ...extra] = await this.call(() => this.sdk.list({ ...this.api, query: { metadata: { ...PLATFORM_TAG, buildId: meta.buildId } } }));
    for (const dup of extra) await this.destroy(dup.sandboxId);
    let sbx: E2BSandbox;
    if (keep) {
      this.connected.delete(keep.sandboxId);
      sbx = await this.call(() => this.sandbox(keep.sandboxId), keep.sandboxId);
    } else {
      sbx = await this.call(() =>
        this.sdk.create(this.opts.template, {
          ...this.api,
          metadata: { ...PLATFORM_TAG, buildId: meta.buildId },
          timeoutMs: this.opts.lifetimeMs,
          allowInternetAccess: this.opts.network,
          envs: GIT_IDENTITY,
        }),
      );
      this.connected.set(sbx.sandboxId, Promise.resolve(sbx));
      this.lastExtended.set(sbx.sandboxId, Date.now());
    }
    try {
      // Idempotent, so a sandbox whose first create died half-way is finished here.
      await runHousekeeping(sbx, `mkdir -p ${SANDBOX_WORKSPACE} && chown ${SANDBOX_USER}:${SANDBOX_USER} ${SANDBOX_WORKSPACE}`, 'prepare the workspace');
    } catch (err) {
      if (!keep) await this.destroy(sbx.sandboxId).catch(() => undefined);
      throw this.translate(err, sbx.sandboxId);
    }
    return { id: sbx.sandboxId, buildId: meta.buildId };
  }

  async connect(sandboxId: string): Promise<SandboxInfo> {
    this.connected.delete(sandboxId);
    await this.call(() => this.sandbox(sandboxId), sandboxId);
    const info = await this.call(() => this.sdk.getInfo(sandboxId, this.api), sandboxId);
    return { id: sandboxId, buildId: info.metadata.buildId ?? '' };
  }

  async status(sandboxId: string): Promise<SandboxStatus> {
    try {
      return (await this.sdk.getInfo(sandboxId, this.api)).state;
    } catch (err) {
      if (classifyE2BError(err) === 'gone') return 'gone';
      throw this.translate(err, sandboxId);
    }
  }

  async exec(sandboxId: string, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.withSandbox(sandboxId, async (sbx) => {
      // A long command is a use too: keep the sandbox from expiring under it.
      const beat = setInterval(() => void this.keepAlive(sandboxId).catch(() => undefined), KEEPALIVE_EVERY_MS);
      try {
        return await runAgentCommand(sbx, command, { ...opts, timeoutMs: opts.timeoutMs ?? this.opts.defaultTimeoutMs, maxOutputBytes: this.maxOutputBytes });
      } finally {
        clearInterval(beat);
      }
    });
  }

  async readFile(sandboxId: string, file: string): Promise<string | null> {
    const target = sandboxPath(file);
    return this.withSandbox(sandboxId, async (sbx) => {
      try {
        return await sbx.files.read(target);
      } catch (err) {
        if (classifyE2BError(err) === 'file-missing') return null;
        throw err;
      }
    });
  }

  async writeFile(sandboxId: string, file: string, content: string | Uint8Array): Promise<void> {
    const target = sandboxPath(file);
    const data = typeof content === 'string' ? content : content.buffer.slice(content.byteOffset, content.byteOffset + content.byteLength);
    await this.withSandbox(sandboxId, (sbx) => sbx.files.write(target, data as string | ArrayBuffer));
  }

  async listFiles(sandboxId: string, dir = '.'): Promise<FileEntry[] | null> {
    const rel = workspaceRelative(dir);
    return this.withSandbox(sandboxId, async (sbx) => {
      let entries: EntryInfo[];
      try {
        entries = await sbx.files.list(sandboxPath(rel), { depth: 1 });
      } catch (err) {
        if (classifyE2BError(err) === 'file-missing') return null;
        throw err;
      }
      return entries
        .map((e): FileEntry => {
          const type = e.symlinkTarget !== undefined || e.type === 'symlink' ? 'symlink' : e.type === 'dir' ? 'dir' : e.type === 'file' ? 'file' : 'other';
          return { name: e.name, path: path.posix.join(rel, e.name), type, size: e.size, mode: e.mode & 0o7777, ...(type === 'symlink' && { target: e.symlinkTarget }) };
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  async archive(sandboxId: string, opts: { path?: string; exclude?: string[] } = {}): Promise<Readable> {
    const dir = sandboxPath(opts.path ?? '.');
    const tmp = `/tmp/aap-archive-${randomUUID()}.tar.gz`;
    const excludes = (opts.exclude ?? []).map((e) => `--exclude=${shellQuote(e)}`).join(' ');
    return this.withSandbox(sandboxId, async (sbx) => {
      // GNU tar stores symlinks as links; unanchored excludes match a folder name at any depth, as the local provider does.
      // Exit 1 only means a file changed while being read (the agent's dev server writing a log): still a usable archive.
      await runHousekeeping(sbx, `tar -czf ${tmp} ${excludes} -C ${shellQuote(dir)} . ; rc=$?; [ $rc -le 1 ] || exit $rc`, 'archive the workspace');
      const web = await sbx.files.read(tmp, { format: 'stream' });
      const stream = Readable.fromWeb(web as unknown as NodeReadableStream<Uint8Array>);
      // The archive in the sandbox is only a staging copy: remove it however the download ends.
      stream.once('close', () => void runHousekeeping(sbx, `rm -f ${tmp}`, 'remove a staged archive').catch(() => undefined));
      return stream;
    });
  }

  async extract(sandboxId: string, archive: Readable, opts: { path?: string } = {}): Promise<void> {
    const dir = shellQuote(sandboxPath(opts.path ?? '.'));
    const tmp = `/tmp/aap-extract-${randomUUID()}.tar.gz`;
    await this.withSandbox(sandboxId, async (sbx) => {
      // Streamed upload (octet-stream), so a large checkpoint is never held in the worker's memory.
      await sbx.files.write(tmp, Readable.toWeb(archive) as unknown as ReadableStream);
      // The upload is checked whole before the folder is emptied, so a cut-off transfer leaves the old
      // contents; emptied, so a retried restore never mixes two checkpoints; files end up the agent's.
      await runHousekeeping(
        sbx,
        `set -e; gzip -t ${tmp}; mkdir -p ${dir}; find ${dir} -mindepth 1 -delete; tar -xzf ${tmp} -C ${dir} --no-same-owner; chown -R ${SANDBOX_USER}:${SANDBOX_USER} ${dir}; rm -f ${tmp}`,
        'restore the workspace',
      );
    });
  }

  async pause(sandboxId: string): Promise<void> {
    this.connected.delete(sandboxId);
    await this.call(() => this.sdk.pause(sandboxId, this.api), sandboxId);
  }

  async resume(sandboxId: string): Promise<void> {
    await this.connect(sandboxId);
  }

  /** Extends the lifetime at most once a minute, so heartbeats may call it as often as they beat. */
  async keepAlive(sandboxId: string): Promise<void> {
    if (Date.now() - (this.lastExtended.get(sandboxId) ?? 0) < KEEPALIVE_EVERY_MS) return;
    this.lastExtended.set(sandboxId, Date.now());
    try {
      await this.sdk.setTimeout(sandboxId, this.opts.lifetimeMs, this.api);
    } catch (err) {
      if (classifyE2BError(err) === 'gone') throw new SandboxLostError(`E2B sandbox ${sandboxId} no longer exists (expired or killed)`, { cause: err });
      // Best effort: a paused sandbox has no lifetime to extend, and the next use reconnects anyway.
      this.opts.warn?.(`Could not extend the lifetime of E2B sandbox ${sandboxId}: ${(err as Error).message}`);
    }
  }

  async previewUrl(sandboxId: string, port: number): Promise<string | null> {
    return this.withSandbox(sandboxId, async (sbx) => `https://${sbx.getHost(port)}`);
  }

  async list(): Promise<SandboxListing[]> {
    const all = await this.call(() => this.sdk.list({ ...this.api, query: { metadata: PLATFORM_TAG } }));
    return all.map((s) => ({ id: s.sandboxId, buildId: s.metadata.buildId ?? '', status: s.state }));
  }

  async destroy(sandboxId: string): Promise<void> {
    this.connected.delete(sandboxId);
    this.lastExtended.delete(sandboxId);
    // kill() answers false for a sandbox already gone: nothing to do.
    await this.call(() => this.sdk.kill(sandboxId, this.api));
  }

  /** A connected handle, resuming the sandbox when it is paused. */
  private sandbox(sandboxId: string): Promise<E2BSandbox> {
    let handle = this.connected.get(sandboxId);
    if (!handle) {
      handle = this.sdk.connect(sandboxId, { ...this.api, timeoutMs: this.opts.lifetimeMs });
      this.connected.set(sandboxId, handle);
      this.lastExtended.set(sandboxId, Date.now());
      handle.catch(() => this.connected.delete(sandboxId));
    }
    return handle;
  }

  /**
   * Runs `fn` on a connected sandbox, pushing its lifetime back. A handle that went stale (the
   * sandbox was paused elsewhere) is reconnected once; a sandbox that is gone is SandboxLost.
   */
  private async withSandbox<T>(sandboxId: string, fn: (sbx: E2BSandbox) => Promise<T>, retried = false): Promise<T> {
    try {
      const sbx = await this.sandbox(sandboxId);
      void this.keepAlive(sandboxId).catch(() => undefined);
      return await fn(sbx);
    } catch (err) {
      if (err instanceof SandboxError) throw err;
      this.connected.delete(sandboxId);
      const status = await this.status(sandboxId).catch(() => 'running' as const);
      if (status === 'gone') throw new SandboxLostError(`E2B sandbox ${sandboxId} no longer exists (expired or killed): ${(err as Error).message}`, { cause: err });
      if (status === 'paused' && !retried) return this.withSandbox(sandboxId, fn, true);
      throw this.translate(err, sandboxId);
    }
  }

  /** An SDK call whose failures become our typed errors. */
  private async call<T>(fn: () => Promise<T>, sandboxId?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.translate(err, sandboxId);
    }
  }

  private translate(err: unknown, sandboxId?: string): Error {
    if (err instanceof SandboxError) return err;
    const kind = classifyE2BError(err);
    const message = (err as Error).message ?? String(err);
    if (kind === 'gone') return new SandboxLostError(`E2B sandbox ${sandboxId ?? ''} no longer exists (expired or killed): ${message}`, { cause: err });
    if (kind === 'auth') return new SandboxUnavailableError(`E2B refused the API key: ${message}. Check E2B_API_KEY.`, { cause: err });
    return new SandboxUnavailableError(`E2B request failed${sandboxId ? ` for sandbox ${sandboxId}` : ''}: ${message}`, { cause: err });
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
