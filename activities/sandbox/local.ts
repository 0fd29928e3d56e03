import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { bubblewrapArgs, bubblewrapProblem, SANDBOX_HOME, SANDBOX_WORKSPACE } from './bubblewrap.ts';
import { SandboxLostError, SandboxPathError, type ExecOptions, type ExecResult, type SandboxInfo, type SandboxProvider, type SandboxStatus } from './provider.ts';

export interface LocalSandboxOptions {
  /** Folder holding one folder per sandbox: `<root>/<id>/{workspace,home}`. */
  root: string;
  network: boolean;
  allowUnisolated: boolean;
  defaultTimeoutMs: number;
  /** stdout and stderr are each kept up to this many bytes; the rest is counted, not kept. */
  maxOutputBytes?: number;
  warn?: (message: string) => void;
}

const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/go/bin';

/**
 * A folder per build on this machine, every command run under bubblewrap. The sandbox,
 * not any command filter, is the security boundary.
 */
export class LocalSandboxProvider implements SandboxProvider {
  readonly name = 'local' as const;
  readonly isolated: boolean;
  private readonly maxOutputBytes: number;

  constructor(private readonly opts: LocalSandboxOptions) {
    const problem = bubblewrapProblem();
    if (problem && !opts.allowUnisolated) {
      throw new Error(`Local sandbox unavailable: ${problem} Or set SANDBOX_ALLOW_UNISOLATED=1 to run agent commands without isolation (not recommended).`);
    }
    this.isolated = problem === null;
    if (problem) opts.warn?.(`Local sandbox is NOT isolated (${problem}); agent commands run directly on this machine.`);
    this.maxOutputBytes = opts.maxOutputBytes ?? 1024 * 1024;
  }

  async create(meta: { buildId: string }): Promise<SandboxInfo> {
    const id = `local-${meta.buildId}`;
    const dir = this.dirOf(id);
    // Idempotent: a retried create, or one after a worker crash, reuses the same folders.
    await fs.mkdir(path.join(dir, 'workspace'), { recursive: true });
    await fs.mkdir(path.join(dir, 'home'), { recursive: true });
    if (!this.isolated) opts_warn(this.opts, `Build ${meta.buildId} runs without sandbox isolation.`);
    return { id, buildId: meta.buildId };
  }

  async status(sandboxId: string): Promise<SandboxStatus> {
    return (await exists(this.workspaceOf(sandboxId))) ? 'running' : 'gone';
  }

  async exec(sandboxId: string, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const workspace = await this.requireWorkspace(sandboxId);
    const home = path.join(this.dirOf(sandboxId), 'home');
    const relCwd = opts.cwd ? this.relative(opts.cwd) : '.';
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
    let child: ChildProcess;
    if (this.isolated) {
      const cwd = path.posix.join(SANDBOX_WORKSPACE, relCwd);
      child = spawn('bwrap', bubblewrapArgs({ workspace, home, network: this.opts.network, cwd, env }, command), { stdio: ['ignore', 'pipe', 'pipe'] });
    } else {
      // Without namespaces, a process group is the best we can do to kill what the command started.
      child = spawn('/bin/bash', ['-c', command], { cwd: path.join(workspace, relCwd), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    return collect(child, { timeoutMs: opts.timeoutMs ?? this.opts.defaultTimeoutMs, signal: opts.signal, onOutput: opts.onOutput, maxBytes: this.maxOutputBytes, groupKill: !this.isolated });
  }

  async readFile(sandboxId: string, file: string): Promise<string | null> {
    const full = await this.resolveInside(sandboxId, file);
    try {
      return await fs.readFile(full, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async writeFile(sandboxId: string, file: string, content: string): Promise<void> {
    const full = await this.resolveInside(sandboxId, file);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, content);
  }

  async archive(sandboxId: string, opts: { exclude?: string[] } = {}): Promise<Readable> {
    const workspace = await this.requireWorkspace(sandboxId);
    const exclude = new Set(opts.exclude ?? []);
    // tar stores symlinks as links (never follows them), so a link to /etc/passwd archives as a link.
    return tar.create(
      {
        gzip: true,
        cwd: workspace,
        portable: true,
        filter: (p) => !p.split('/').some((part) => exclude.has(part)),
      },
      ['.'],
    ) as unknown as Readable;
  }

  async extract(sandboxId: string, archive: Readable): Promise<void> {
    const workspace = await this.requireWorkspace(sandboxId);
    // Start from empty so a retried restore never mixes two checkpoints.
    for (const entry of await fs.readdir(workspace)) await fs.rm(path.join(workspace, entry), { recursive: true, force: true });
    // node-tar refuses absolute paths, `..` and writing through symlinks unless told otherwise.
    await pipeline(archive, tar.extract({ cwd: workspace, preserveOwner: false }));
  }

  async destroy(sandboxId: string): Promise<void> {
    await fs.rm(this.dirOf(sandboxId), { recursive: true, force: true });
  }

  private dirOf(sandboxId: string): string {
    if (!/^local-[A-Za-z0-9_-]+$/.test(sandboxId)) throw new SandboxLostError(`Unknown local sandbox id: ${sandboxId}`);
    return path.join(this.opts.root, sandboxId);
  }

  private workspaceOf(sandboxId: string): string {
    return path.join(this.dirOf(sandboxId), 'workspace');
  }

  private async requireWorkspace(sandboxId: string): Promise<string> {
    const ws = this.workspaceOf(sandboxId);
    if (!(await exists(ws))) throw new SandboxLostError(`Sandbox ${sandboxId} no longer exists`);
    return ws;
  }

  private relative(p: string): string {
    const rel = path.posix.normalize(p.startsWith(SANDBOX_WORKSPACE) ? path.posix.relative(SANDBOX_WORKSPACE, p) || '.' : p);
    if (path.posix.isAbsolute(rel) || rel === '..' || rel.startsWith('../')) throw new SandboxPathError(`Path is outside the workspace: ${p}`);
    return rel;
  }

  /** Host path for a workspace path, refusing anything (including a symlink) that leads outside. */
  private async resolveInside(sandboxId: string, p: string): Promise<string> {
    const workspace = await this.requireWorkspace(sandboxId);
    const full = path.join(workspace, this.relative(p));
    const real = await realpathOfExistingPrefix(full);
    const realWs = await fs.realpath(workspace);
    if (real !== realWs && !real.startsWith(realWs + path.sep)) throw new SandboxPathError(`Path leads outside the workspace: ${p}`);
    return full;
  }
}

function opts_warn(opts: LocalSandboxOptions, message: string): void {
  opts.warn?.(message);
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/** realpath of the longest existing prefix of `p`, with the rest appended (for files about to be created). */
async function realpathOfExistingPrefix(p: string): Promise<string> {
  let current = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await fs.realpath(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return p;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

function collect(
  child: ChildProcess,
  o: { timeoutMs: number; signal?: AbortSignal; onOutput?: ExecOptions['onOutput']; maxBytes: number; groupKill: boolean },
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const kept = { stdout: 0, stderr: 0 };
    let outputBytes = 0;
    let truncated = false;
    let timedOut = false;
    const kill = () => {
      try {
        if (o.groupKill && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL'); // bwrap's --die-with-parent and pid namespace take every descendant with it
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, o.timeoutMs);
    const onAbort = () => kill();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) kill();
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.on('data', (chunk: Buffer) => {
        outputBytes += chunk.length;
        const room = o.maxBytes - kept[stream];
        if (room > 0) {
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          out[stream].push(part);
          kept[stream] += part.length;
        }
        if (chunk.length > room) truncated = true;
        o.onOutput?.(chunk.toString('utf8'), stream);
      });
    }
    child.on('error', (err) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
        timedOut,
        outputBytes,
        truncated,
      });
    });
  });
}
