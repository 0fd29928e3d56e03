import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { CommandExitError, FileNotFoundError, FileType, SandboxNotFoundError, TimeoutError, type CommandStartOpts, type EntryInfo } from '@e2b/code-interpreter';
import type { E2BApi, E2BCommandHandle, E2BSandbox, E2BSandboxSummary } from '../../activities/sandbox/e2b-sdk.ts';

/**
 * The slice of the E2B SDK the provider uses, emulated on this machine, so the e2b provider's
 * own logic (tar staging, streamed transfer, timeouts that kill marked process trees, pause and
 * reconnect, lost sandboxes) runs in every test run, not only where an E2B key exists. A "VM" is
 * a folder mounted at /workspace, /tmp and /home/user by bubblewrap, sharing the host's pid
 * namespace (processes outlive the command that started them, as in a VM). It errs the way the
 * SDK documents: CommandExitError for a non-zero exit, SandboxNotFoundError for a killed sandbox,
 * FileNotFoundError for a missing file, TimeoutError when a paused sandbox is spoken to.
 * Commands as `root` really run as root, so the emulation needs the tests to run as root.
 */
export class E2BEmulator implements E2BApi {
  private readonly vms = new Map<string, Vm>();

  constructor(private readonly root: string) {}

  async create(template: string | undefined, opts: { metadata?: Record<string, string>; envs?: Record<string, string> }): Promise<E2BSandbox> {
    const id = `emu${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const dir = path.join(this.root, id);
    for (const sub of ['workspace', 'tmp', 'home']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o777 });
    fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
    fs.chownSync(path.join(dir, 'home'), 1000, 1000);
    fs.writeFileSync(path.join(dir, 'passwd'), `${fs.readFileSync('/etc/passwd', 'utf8')}user:x:1000:1000::/home/user:/bin/bash\n`);
    fs.writeFileSync(path.join(dir, 'group'), `${fs.readFileSync('/etc/group', 'utf8')}user:x:1000:\n`);
    const vm: Vm = { id, dir, metadata: opts.metadata ?? {}, envs: opts.envs ?? {}, state: 'running', template };
    this.vms.set(id, vm);
    return this.instance(vm);
  }

  async connect(sandboxId: string): Promise<E2BSandbox> {
    const vm = this.vm(sandboxId);
    vm.state = 'running';
    return this.instance(vm);
  }

  async getInfo(sandboxId: string): Promise<E2BSandboxSummary> {
    const vm = this.vm(sandboxId);
    return { sandboxId, metadata: vm.metadata, state: vm.state };
  }

  async list(opts: { query?: { metadata?: Record<string, string> } }): Promise<E2BSandboxSummary[]> {
    const want = Object.entries(opts.query?.metadata ?? {});
    return [...this.vms.values()].filter((vm) => want.every(([k, v]) => vm.metadata[k] === v)).map((vm) => ({ sandboxId: vm.id, metadata: vm.metadata, state: vm.state }));
  }

  async kill(sandboxId: string): Promise<boolean> {
    const vm = this.vms.get(sandboxId);
    if (!vm) return false;
    this.vms.delete(sandboxId);
    await run(vm, `for d in /proc/[0-9]*; do tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qxF 'EMULATED_VM=${vm.id}' && kill -9 "\${d#/proc/}"; done; true`, { user: 'root' }).wait().catch(() => undefined);
    fs.rmSync(vm.dir, { recursive: true, force: true });
    return true;
  }

  async pause(sandboxId: string): Promise<boolean> {
    const vm = this.vm(sandboxId);
    const was = vm.state;
    vm.state = 'paused';
    return was === 'running';
  }

  async setTimeout(sandboxId: string): Promise<void> {
    this.vm(sandboxId);
  }

  /** Deletes a sandbox behind the provider's back, as an expired lifetime would. */
  async expire(sandboxId: string): Promise<void> {
    await this.kill(sandboxId);
  }

  private vm(sandboxId: string): Vm {
    const vm = this.vms.get(sandboxId);
    if (!vm) throw new SandboxNotFoundError(`Sandbox ${sandboxId} not found`);
    return vm;
  }

  private instance(vm: Vm): E2BSandbox {
    const live = () => {
      if (this.vms.get(vm.id) !== vm) throw new TimeoutError('[unavailable] sandbox not running: This error is likely due to sandbox timeout.');
      if (vm.state !== 'running') throw new TimeoutError('[unavailable] sandbox is paused');
    };
    const host = (p: string) => hostPath(vm, p);
    const files = {
      async read(p: string, opts?: { format?: 'text' | 'stream' }): Promise<never> {
        live();
        if (!fs.existsSync(host(p))) throw new FileNotFoundError(`path '${p}' does not exist`);
        // One implementation for both overloads: the caller's format picks the type.
        return (opts?.format === 'stream' ? Readable.toWeb(fs.createReadStream(host(p))) : fs.readFileSync(host(p), 'utf8')) as never;
      },
      async write(p: string, data: string | ArrayBuffer | ReadableStream): Promise<unknown> {
        live();
        fs.mkdirSync(path.dirname(host(p)), { recursive: true });
        if (typeof data === 'string' || data instanceof ArrayBuffer) fs.writeFileSync(host(p), typeof data === 'string' ? data : Buffer.from(data));
        else await pipeline(Readable.fromWeb(data as unknown as NodeReadableStream), fs.createWriteStream(host(p)));
        return { name: path.basename(p), path: p };
      },
      async list(p: string): Promise<EntryInfo[]> {
        live();
        if (!fs.existsSync(host(p))) throw new FileNotFoundError(`path '${p}' does not exist`);
        return fs.readdirSync(host(p)).map((name) => {
          const full = path.join(host(p), name);
          const st = fs.lstatSync(full);
          const type = st.isSymbolicLink() ? FileType.SYMLINK : st.isDirectory() ? FileType.DIR : FileType.FILE;
          return { name, path: path.posix.join(p, name), type, size: st.size, mode: st.mode, permissions: '', owner: '', group: '', ...(st.isSymbolicLink() && { symlinkTarget: fs.readlinkSync(full) }) };
        });
      },
    };
    return {
      sandboxId: vm.id,
      getHost: (port) => `${port}-${vm.id}.e2b.emulated`,
      files: files as E2BSandbox['files'],
      commands: {
        async run(cmd: string, opts: CommandStartOpts & { background: true }): Promise<E2BCommandHandle> {
          live();
          return run(vm, cmd, opts);
        },
      },
    };
  }
}

interface Vm {
  id: string;
  dir: string;
  metadata: Record<string, string>;
  envs: Record<string, string>;
  state: 'running' | 'paused';
  template: string | undefined;
}

function hostPath(vm: Vm, p: string): string {
  for (const [inside, sub] of [['/workspace', 'workspace'], ['/tmp', 'tmp'], ['/home/user', 'home']] as const) {
    if (p === inside || p.startsWith(`${inside}/`)) return path.join(vm.dir, sub, path.posix.relative(inside, p));
  }
  throw new Error(`the E2B emulator only has /workspace, /tmp and /home/user, not ${p}`);
}

function run(vm: Vm, cmd: string, opts: CommandStartOpts): E2BCommandHandle {
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: opts.user === 'root' ? '/root' : '/home/user', ...vm.envs, ...opts.envs, EMULATED_VM: vm.id };
  const asUser = opts.user === 'root' ? [] : ['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups'];
  const args = ['--die-with-parent', '--tmpfs', '/', '--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc', '--ro-bind', path.join(vm.dir, 'passwd'), '/etc/passwd', '--ro-bind', path.join(vm.dir, 'group'), '/etc/group'];
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) {
    if (fs.lstatSync(`/${link}`, { throwIfNoEntry: false })?.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(`/${link}`), `/${link}`);
  }
  args.push('--proc', '/proc', '--dev', '/dev', '--bind', path.join(vm.dir, 'workspace'), '/workspace', '--bind', path.join(vm.dir, 'tmp'), '/tmp', '--bind', path.join(vm.dir, 'home'), '/home/user');
  args.push('--chdir', opts.cwd ?? (opts.user === 'root' ? '/' : '/home/user'), ...asUser, '/bin/bash', '-c', cmd);
  const child = spawn('bwrap', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    void opts.onStdout?.(d);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    void opts.onStderr?.(d);
  });
  let deadlineHit = false;
  const deadline = opts.timeoutMs ? setTimeout(() => ((deadlineHit = true), child.kill('SIGKILL')), opts.timeoutMs) : null;
  const done = new Promise<{ exitCode: number; stdout: string; stderr: string; error?: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (deadline) clearTimeout(deadline);
      if (deadlineHit) return reject(new TimeoutError('[deadline_exceeded] the operation timed out'));
      resolve({ exitCode: code ?? -1, stdout, stderr, ...(signal && { error: `signal: ${signal}` }) });
    });
  });
  return {
    pid: child.pid ?? -1,
    async wait() {
      const result = await done;
      if (result.exitCode !== 0) throw new CommandExitError(result);
      return result;
    },
    async kill() {
      return child.kill('SIGKILL');
    },
  };
}
