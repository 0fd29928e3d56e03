import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { bubblewrapCommand, bubblewrapProblem, findBubblewrap, SANDBOX_HOME, SANDBOX_WORKSPACE } from './bubblewrap.ts';
import { SandboxLostError, SandboxPathError, SandboxUnisolatedError } from './errors.ts';
import { DEFAULT_LIMITS, limitedBash, type ResourceLimits } from './limits.ts';
import { emptyDir, removeTree, resolveInWorkspace } from './local-files.ts';
import { runProcess } from './local-process.ts';
import type { ExecOptions, ExecResult, FileEntry, SandboxInfo, SandboxListing, SandboxMeta, SandboxProvider, SandboxStatus } from './provider.ts';
import { workspaceRelative } from './workspace-path.ts';

export interface LocalSandboxOptions {
  /** Folder holding one folder per sandbox: `<root>/<id>/{workspace,home,sandbox.json}`. */
  root: string;
  network: boolean;
  allowUnisolated: boolean;
  defaultTimeoutMs: number;
  /** stdout and stderr are each kept up to this many bytes; the rest is counted, not kept. */
  maxOutputBytes?: number;
  limits?: ResourceLimits;
  /** Host paths never visible inside, even under a system folder: DATA_DIR, the platform's folder (.env). */
  hiddenPaths?: string[];
  /** Host folders mounted read-only (default /usr, /etc, /opt). */
  systemDirs?: string[];
  /** The bubblewrap binary (default `bwrap` on PATH). */
  bwrapPath?: string;
  warn?: (message: string) => void;
}

const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/go/bin';
/** Tar reads files in chunks of this size: small enough that a 500 MB file costs the worker little memory. */
const ARCHIVE_READ_CHUNK = 1024 * 1024;

/**
 * A folder per build on this machine, every command run under bubblewrap. The sandbox,
 * not any command filter, is the security boundary. Nothing runs between commands (each one
 * gets a pid namespace that ends with it), so pausing has nothing to stop.
 */
export class LocalSandboxProvider implements SandboxProvider {
  readonly name = 'local' as const;
  readonly supportsPause = false;
  readonly isolated: boolean;
  private readonly maxOutputBytes: number;
  private readonly limits: ResourceLimits;
  private readonly hiddenPaths: string[];
  private readonly bwrap: string;

  constructor(private readonly opts: LocalSandboxOptions) {
    this.bwrap = findBubblewrap(opts.bwrapPath);
    const problem = bubblewrapProblem(this.bwrap);
    if (problem && !opts.allowUnisolated) {
      throw new SandboxUnisolatedError(`Local sandbox unavailable: ${problem} Or set SANDBOX_ALLOW_UNISOLATED=1 to run agent commands without isolation (not recommended).`);
    }
    this.isolated = problem === null;
    if (problem) opts.warn?.(`Local sandbox is NOT isolated (${problem}); agent commands run directly on this machine.`);
    this.maxOutputBytes = opts.maxOutputBytes ?? 1024 * 1024;
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    // The sandboxes' own root is always hidden: it holds every other build's workspace.
    this.hiddenPaths = [path.resolve(opts.root), ...(opts.hiddenPaths ?? [])];
  }

  async create(meta: SandboxMeta): Promise<SandboxInfo> {
    if (!/^[A-Za-z0-9_-]+$/.test(meta.buildId)) throw new Error(`Build id ${JSON.stringify(meta.buildId)} cannot name a local sandbox (letters, digits, - and _ only).`);
    const id = `local-${meta.buildId}`;
    const dir = this.dirOf(id);
    // Idempotent: a retried create, or one after a worker crash, reuses the same folders.
    await fs.mkdir(path.join(dir, 'workspace'), { recursive: true });
    await fs.mkdir(path.join(dir, 'home'), { recursive: true });
    const metaFile = path.join(dir, 'sandbox.json');
    if (!(await exists(metaFile))) await fs.writeFile(metaFile, JSON.stringify({ buildId: meta.buildId, createdAt: new Date().toISOString() }));
    if (!this.isolated) this.opts.warn?.(`Build ${meta.buildId} runs WITHOUT sandbox isolation (SANDBOX_ALLOW_UNISOLATED=1): its agent's commands can read and change anything this user can.`);
    return { id, buildId: meta.buildId };
  }

  async connect(sandboxId: string): Promise<SandboxInfo> {
    await this.requireWorkspace(sandboxId);
    return { id: sandboxId, buildId: await this.buildIdOf(sandboxId) };
  }

  async status(sandboxId: string): Promise<SandboxStatus> {
    return (await exists(this.workspaceOf(sandboxId))) ? 'running' : 'gone';
  }

  async exec(sandboxId: string, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const workspace = await this.requireWorkspace(sandboxId);
    const home = path.join(this.dirOf(sandboxId), 'home');
    // The working directory must exist and stay inside, links included.
    const hostCwd = await resolveInWorkspace(workspace, workspaceRelative(opts.cwd ?? '.'), opts.cwd);
    const relCwd = path.relative(await fs.realpath(workspace), hostCwd);
    const env: Record<string, string> = {
      PATH: SANDBOX_PATH,
      HOME: this.isolated ? SANDBOX_HOME : home,
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      GIT_AUTHOR_NAME: 'Autonomous Agent',
      GIT_AUTHOR_EMAIL: 'agent@localhost',
      GIT_COMMITTER_NAME: 'Autonomous Agent',
      GIT_COMMITTER_EMAIL: 'agent@localhost',
    };
    const argv = limitedBash(command, this.limits);
    const common = { timeoutMs: opts.timeoutMs ?? this.opts.defaultTimeoutMs, signal: opts.signal, onOutput: opts.onOutput, maxOutputBytes: this.maxOutputBytes };
    if (this.isolated) {
      const cwd = path.posix.join(SANDBOX_WORKSPACE, relCwd.split(path.sep).join('/'));
      const bwrap = bubblewrapCommand({ workspace, home, network: this.opts.network, cwd, env, hiddenPaths: this.hiddenPaths, systemDirs: this.opts.systemDirs }, argv);
      // bwrap itself becomes pid 1 in the sandbox, and /proc/1/environ is readable there: it
      // starts with an empty environment (the command's own is set by --setenv), so no secret
      // of the worker's, nor even its PATH, is there to read.
      return runProcess({ argv: [this.bwrap, ...bwrap.args], fd3: bwrap.fd3, env: {}, ...common, tree: 'namespace' });
    }
    return runProcess({ argv, cwd: hostCwd, env, ...common, tree: 'group' });
  }

  async readFile(sandboxId: string, file: string): Promise<string | null> {
    const full = await this.resolve(sandboxId, file);
    try {
      return await fs.readFile(full, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async writeFile(sandboxId: string, file: string, content: string | Uint8Array): Promise<void> {
    const full = await this.resolve(sandboxId, file);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, content);
  }

  async listFiles(sandboxId: string, dir = '.'): Promise<FileEntry[] | null> {
    const full = await this.resolve(sandboxId, dir);
    const rel = workspaceRelative(dir);
    let names: string[];
    try {
      names = await fs.readdir(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const entries: FileEntry[] = [];
    for (const name of names.sort()) {
      const stat = await fs.lstat(path.join(full, name)).catch(() => null);
      if (!stat) continue; // removed while listing
      const type = stat.isSymbolicLink() ? 'symlink' : stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other';
      const entry: FileEntry = { name, path: path.posix.join(rel, name), type, size: stat.size, mode: stat.mode & 0o7777 };
      if (type === 'symlink') entry.target = await fs.readlink(path.join(full, name));
      entries.push(entry);
    }
    return entries;
  }

  async archive(sandboxId: string, opts: { path?: string; exclude?: string[] } = {}): Promise<Readable> {
    const dir = await this.resolve(sandboxId, opts.path ?? '.');
    const exclude = new Set(opts.exclude ?? []);
    // tar stores symlinks as links (never follows them), so a link to /etc/passwd archives as a link.
    const pack = tar.create(
      { gzip: true, cwd: dir, portable: true, maxReadSize: ARCHIVE_READ_CHUNK, filter: (p) => !p.split('/').some((part) => exclude.has(part)) },
      ['.'],
    );
    // A real Node stream (not node-tar's Minipass), so every consumer gets backpressure and errors the usual way.
    return Readable.from(pack, { objectMode: false, highWaterMark: ARCHIVE_READ_CHUNK });
  }

  async extract(sandboxId: string, archive: Readable, opts: { path?: string } = {}): Promise<void> {
    const workspace = await fs.realpath(await this.requireWorkspace(sandboxId));
    const dir = await this.resolve(sandboxId, opts.path ?? '.');
    await fs.mkdir(dir, { recursive: true });
    // Start from empty so a retried restore never mixes two checkpoints.
    await emptyDir(dir);
    // Symlinks are set aside and made last, as GNU tar does: while the archive is written out no
    // link exists, so no entry can be written through one, and each link is restored exactly as
    // stored (node-tar would rewrite absolute targets such as /workspace/lib). node-tar skips
    // entries with absolute paths or `..`.
    const links: Array<{ path: string; target: string }> = [];
    const keep = (p: string, entry: tar.ReadEntry | Stats) => {
      if (!('type' in entry) || entry.type !== 'SymbolicLink') return true;
      links.push({ path: p, target: String(entry.linkpath) });
      return false;
    };
    await pipeline(archive, tar.extract({ cwd: dir, preserveOwner: false, filter: keep }));
    for (const link of links) {
      const rel = path.posix.normalize(link.path);
      if (path.posix.isAbsolute(rel) || rel === '..' || rel.startsWith('../')) throw new SandboxPathError(`Archive entry leaves the folder: ${link.path}`);
      // The link's folder must be a real folder inside the workspace, not another link.
      const parent = await this.resolve(sandboxId, path.posix.join(path.relative(workspace, dir).split(path.sep).join('/'), path.posix.dirname(rel)));
      await fs.mkdir(parent, { recursive: true });
      await fs.symlink(link.target, path.join(parent, path.posix.basename(rel))).catch((err: NodeJS.ErrnoException) => {
        // Our own archives never hold a link and a file at one path; one that does is refused whole.
        if (err.code === 'EEXIST') throw new SandboxPathError(`Archive entry ${link.path} is both a link and a file or folder: refusing to restore it`);
        throw err;
      });
    }
  }

  async pause(sandboxId: string): Promise<void> {
    await this.requireWorkspace(sandboxId);
  }

  async resume(sandboxId: string): Promise<void> {
    await this.requireWorkspace(sandboxId);
  }

  async keepAlive(): Promise<void> {
    // Local sandboxes do not expire.
  }

  async previewUrl(sandboxId: string, port: number): Promise<string | null> {
    await this.requireWorkspace(sandboxId);
    // Sandboxes share the host's network when network is on, so a server inside listens on the host's loopback.
    return this.opts.network || !this.isolated ? `http://127.0.0.1:${port}` : null;
  }

  async list(): Promise<SandboxListing[]> {
    const names = await fs.readdir(this.opts.root).catch(() => [] as string[]);
    const listings: SandboxListing[] = [];
    for (const id of names.filter((n) => /^local-[A-Za-z0-9_-]+$/.test(n))) {
      if (await exists(this.workspaceOf(id))) listings.push({ id, buildId: await this.buildIdOf(id), status: 'running' });
    }
    return listings;
  }

  async destroy(sandboxId: string): Promise<void> {
    await removeTree(this.dirOf(sandboxId));
  }

  private dirOf(sandboxId: string): string {
    if (!/^local-[A-Za-z0-9_-]+$/.test(sandboxId)) throw new SandboxLostError(`Unknown local sandbox id: ${sandboxId}`);
    return path.join(this.opts.root, sandboxId);
  }

  private workspaceOf(sandboxId: string): string {
    return path.join(this.dirOf(sandboxId), 'workspace');
  }

  private async buildIdOf(sandboxId: string): Promise<string> {
    const meta = await fs.readFile(path.join(this.dirOf(sandboxId), 'sandbox.json'), 'utf8').catch(() => null);
    // Sandboxes made before sandbox.json existed carry the build id in their name.
    return meta ? (JSON.parse(meta) as { buildId: string }).buildId : sandboxId.slice('local-'.length);
  }

  private async requireWorkspace(sandboxId: string): Promise<string> {
    const ws = this.workspaceOf(sandboxId);
    if (!(await exists(ws))) throw new SandboxLostError(`Sandbox ${sandboxId} no longer exists`);
    return ws;
  }

  /** Host path for a workspace path, refusing anything (including a symlink) that leads outside. */
  private async resolve(sandboxId: string, p: string): Promise<string> {
    return resolveInWorkspace(await this.requireWorkspace(sandboxId), workspaceRelative(p), p);
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
