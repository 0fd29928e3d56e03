import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_SYSTEM_DIRS } from '../activities/sandbox/bubblewrap.ts';
import { LocalSandboxProvider, type LocalSandboxOptions } from '../activities/sandbox/local.ts';
import { SandboxPathError, SandboxUnisolatedError } from '../activities/sandbox/provider.ts';

/** Host processes matching `pattern` (the test's own, marked with a unique number). */
const hostProcesses = (pattern: string) => execFileSync('sh', ['-c', `pgrep -f '${pattern}' || true`], { encoding: 'utf8' }).trim();
const unique = () => `1000.${Math.floor(Math.random() * 1e9)}`;
const asPattern = (marker: string) => `sleep ${marker.replace('.', '[.]')}`;

describe('local sandbox isolation', () => {
  let base: string;
  let dataDir: string;
  let provider: LocalSandboxProvider;
  let id: string;
  let other: { id: string; workspace: string };
  const planted: string[] = [];
  const plant = (file: string, content: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    planted.push(file);
    return file;
  };
  const make = (extra: Partial<LocalSandboxOptions> = {}) =>
    new LocalSandboxProvider({ root: path.join(dataDir, 'sandboxes'), network: false, allowUnisolated: false, defaultTimeoutMs: 60_000, hiddenPaths: [dataDir], ...extra });

  beforeAll(async () => {
    base = path.join(inject('tmpRoot'), `isolation-${randomUUID().slice(0, 8)}`);
    dataDir = path.join(base, 'data');
    provider = make();
    ({ id } = await provider.create({ buildId: 'mine' }));
    const theirs = await provider.create({ buildId: 'theirs' });
    other = { id: theirs.id, workspace: path.join(dataDir, 'sandboxes', theirs.id, 'workspace') };
    await provider.writeFile(other.id, 'secret.txt', 'secret of another build');
  });
  afterAll(async () => {
    for (const file of planted) fs.rmSync(file, { force: true });
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('runs every command isolated, as an unprivileged user with no capabilities', async () => {
    expect(provider.isolated).toBe(true);
    const r = await provider.exec(id, 'id -u; grep CapEff /proc/self/status');
    expect(r.stdout).toMatch(/^1000\nCapEff:\s+0+\n$/);
  });

  it("cannot read another build's workspace, the data dir, the host's home or the platform's folder", async () => {
    const inData = plant(path.join(dataDir, 'pg', 'secret.txt'), 'database secret');
    const inHome = plant(path.join(os.homedir(), `.aap-isolation-test-${randomUUID().slice(0, 8)}`), 'home secret');
    const targets = [path.join(other.workspace, 'secret.txt'), inData, inHome, path.join(process.cwd(), 'package.json')];
    for (const target of targets) {
      expect(fs.existsSync(target)).toBe(true);
      const r = await provider.exec(id, `cat '${target}'`);
      expect(r.exitCode, target).not.toBe(0);
      expect(r.stderr).toMatch(/No such file or directory/);
    }
    // Not by searching either: the sandbox's whole filesystem holds none of them.
    const search = await provider.exec(id, `grep -rl --exclude-dir=proc --exclude-dir=dev --exclude-dir=usr 'secret of another build\\|database secret\\|home secret' / 2>/dev/null; true`);
    expect(search.stdout).toBe('');
    const env = await provider.exec(id, 'env');
    expect(env.stdout).toContain('HOME=/home/agent');
    expect(env.stdout).not.toContain(`HOME=${os.homedir()}`);
  });

  it('hides DATA_DIR and the platform folder even when they sit inside a mounted system folder', async () => {
    // Stands in for DATA_DIR=/opt/aap/data: /opt is mounted read-only, the data dir inside must not show.
    const system = path.join(base, 'opt');
    plant(path.join(system, 'tool.txt'), 'a tool\n');
    const hiddenData = path.join(system, 'aap', 'data');
    plant(path.join(hiddenData, 'secret.txt'), 'data secret');
    const envFile = plant(path.join(system, 'aap', '.env'), 'ANTHROPIC_API_KEY=sk-secret');
    const masked = make({ systemDirs: [...DEFAULT_SYSTEM_DIRS, system], hiddenPaths: [hiddenData, envFile] });
    const r = await masked.exec(id, `cat ${system}/tool.txt; ls -A ${hiddenData}; cat ${envFile}; echo end`);
    expect(r.stdout).toBe('a tool\nend\n');
  });

  it('cannot write outside its workspace and home; its /tmp is private and gone after the command', async () => {
    const escape = path.join(dataDir, `pwned-${randomUUID().slice(0, 8)}`);
    const hostTmp = path.join(os.tmpdir(), `pwned-${randomUUID().slice(0, 8)}`);
    const r = await provider.exec(id, `echo x > ${escape}; echo x > /usr/pwned; echo x > /etc/pwned; echo x > ${other.workspace}/pwned; echo x > ${hostTmp}; echo ok`);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr.match(/(No such file or directory|Read-only file system)/g)).toHaveLength(4);
    for (const p of [escape, '/usr/pwned', '/etc/pwned', path.join(other.workspace, 'pwned')]) expect(fs.existsSync(p)).toBe(false);
    // The sandbox's /tmp is its own: the file landed there, not in the host's /tmp, and is gone for the next command.
    expect(fs.existsSync(hostTmp)).toBe(false);
    expect((await provider.exec(id, `cat ${hostTmp}`)).exitCode).not.toBe(0);
    expect((await provider.exec(id, 'echo kept > ~/note && echo ws > w.txt')).exitCode).toBe(0);
    expect(await provider.readFile(id, 'w.txt')).toBe('ws\n');
  });

  it('cannot see or signal host processes', async () => {
    const marker = unique();
    const host: ChildProcess = spawn('sleep', [marker], { stdio: 'ignore' });
    try {
      const r = await provider.exec(id, `cat /proc/[0-9]*/cmdline | tr '\\0' ' '; echo; kill -0 ${host.pid} && echo "sig""nalled"`);
      expect(r.stdout).not.toContain(marker);
      expect(r.stdout).not.toContain('vitest');
      expect(r.stdout).not.toContain('signalled');
      // Not even how it was set up: bwrap (pid 1 inside) got its options through a pipe, not its command line.
      const setup = await provider.exec(id, `cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ | tr '\\0' '\\n'`);
      expect(setup.stdout).toContain('HOME=/home/agent');
      expect(setup.stdout).not.toContain(dataDir);
      expect(hostProcesses(asPattern(marker))).not.toBe('');
    } finally {
      host.kill('SIGKILL');
    }
  });

  it('kills a timed-out command with `sleep 1000 &` it started: nothing survives on the host', async () => {
    const marker = unique();
    const r = await provider.exec(id, `sleep ${marker} & setsid sleep ${marker} & sleep 120`, { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    await waitUntil(() => hostProcesses(asPattern(marker)) === '');
  });

  it('kills an aborted command the same way, and ends what a finished command left in the background', async () => {
    const aborted = unique();
    const abort = new AbortController();
    const r = await provider.exec(id, `sleep ${aborted} & echo started; sleep 120`, { signal: abort.signal, onOutput: () => abort.abort() });
    expect(r.aborted).toBe(true);
    await waitUntil(() => hostProcesses(asPattern(aborted)) === '');
    const finished = unique();
    const done = await provider.exec(id, `nohup sleep ${finished} >/dev/null 2>&1 & echo done`);
    expect(done).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    await waitUntil(() => hostProcesses(asPattern(finished)) === '');
  });

  it('reaches the host network by default, and not at all with SANDBOX_NETWORK=off', async () => {
    const server = net.createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const connect = `exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`;
      const on = await make({ network: true }).exec(id, connect);
      expect(on).toMatchObject({ exitCode: 0, stdout: 'hello from the host\n' });
      const off = await provider.exec(id, connect);
      expect(off.exitCode).not.toBe(0);
      expect(off.stdout).toBe('');
      expect(off.stderr).toMatch(/Network is unreachable|Connection refused/);
    } finally {
      server.close();
    }
  });

  it('limits CPU time, memory and file size per process', async () => {
    const limited = make({ limits: { cpuSeconds: 1, memoryMb: 64, maxFileMb: 1 } });
    const cpu = await limited.exec(id, 'while :; do :; done');
    expect(cpu).toMatchObject({ exitCode: 152, timedOut: false }); // 128 + SIGXCPU
    const memory = await limited.exec(id, `awk 'BEGIN { s = sprintf("%200000000s", ""); print length(s) }'`);
    expect(memory.exitCode).not.toBe(0);
    expect(memory.stderr).toMatch(/memory/i);
    const file = await limited.exec(id, 'head -c 3000000 /dev/zero > big.bin; echo $?');
    expect(file.stdout).toBe('153\n'); // 128 + SIGXFSZ
    expect(fs.statSync(path.join(dataDir, 'sandboxes', id, 'workspace', 'big.bin')).size).toBe(1024 * 1024);
    // The command cannot raise them again.
    expect((await limited.exec(id, 'ulimit -t unlimited')).exitCode).not.toBe(0);
  });

  it('never follows a symlink out of the workspace on the host, dangling ones included', async () => {
    const outsideDir = path.join(base, 'outside');
    plant(path.join(outsideDir, 'secret.txt'), 'outside secret');
    const dangling = path.join(base, `created-through-link-${randomUUID().slice(0, 8)}`);
    await provider.exec(id, `ln -sfn ${outsideDir} out && ln -sfn ${dangling} dangling && ln -sfn ../../.. up && mkdir -p real && ln -sfn /workspace/real abs-inside`);
    await expect(provider.readFile(id, 'out/secret.txt')).rejects.toBeInstanceOf(SandboxPathError);
    await expect(provider.writeFile(id, 'out/new.txt', 'x')).rejects.toBeInstanceOf(SandboxPathError);
    await expect(provider.listFiles(id, 'out')).rejects.toBeInstanceOf(SandboxPathError);
    await expect(provider.writeFile(id, 'dangling', 'x')).rejects.toBeInstanceOf(SandboxPathError);
    await expect(provider.readFile(id, 'up/secret.txt')).rejects.toBeInstanceOf(SandboxPathError);
    await expect(provider.exec(id, 'pwd', { cwd: 'out' })).rejects.toBeInstanceOf(SandboxPathError);
    expect(fs.existsSync(dangling)).toBe(false);
    expect(fs.existsSync(path.join(outsideDir, 'new.txt'))).toBe(false);
    // A link to /workspace/... means the workspace, as it does inside the sandbox.
    await provider.writeFile(id, 'abs-inside/through-link.txt', 'fine');
    expect(await provider.readFile(id, 'real/through-link.txt')).toBe('fine');
    // The archive keeps each link as a link with its target, not the file it points to.
    const entries: Array<{ path: string; type: string; linkpath?: string }> = [];
    const listing = tar.t({ onReadEntry: (e) => entries.push({ path: e.path, type: e.type, linkpath: e.linkpath }) });
    await pipeline(await provider.archive(id), listing as unknown as NodeJS.WritableStream);
    expect(entries).toContainEqual({ path: './out', type: 'SymbolicLink', linkpath: outsideDir });
    expect(entries.some((e) => e.path.startsWith('./out/'))).toBe(false);
  });

  it('refuses, on extract, an archive that would write through a link it contains', async () => {
    const outsideDir = path.join(base, `extract-target-${randomUUID().slice(0, 8)}`);
    fs.mkdirSync(outsideDir, { recursive: true });
    const archive = craftedArchive([
      { path: 'link', type: 'SymbolicLink', linkpath: outsideDir },
      { path: 'link/pwned.txt', type: 'File', body: 'pwned' },
    ]);
    await expect(provider.extract(id, Readable.from([archive]))).rejects.toBeInstanceOf(SandboxPathError);
    expect(fs.readdirSync(outsideDir)).toEqual([]);
  });

  it('without bubblewrap, refuses to start unless SANDBOX_ALLOW_UNISOLATED, then warns at start and for every build', async () => {
    const missing = { bwrapPath: path.join(base, 'no-such-bwrap') };
    expect(() => make(missing)).toThrow(SandboxUnisolatedError);
    expect(() => make(missing)).toThrow(/bubblewrap.*SANDBOX_ALLOW_UNISOLATED=1/s);
    const warnings: string[] = [];
    const unisolated = make({ ...missing, allowUnisolated: true, warn: (m) => warnings.push(m) });
    expect(unisolated.isolated).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/NOT isolated/)]);
    const sandbox = await unisolated.create({ buildId: 'unisolated-1' });
    await unisolated.create({ buildId: 'unisolated-2' });
    expect(warnings.filter((w) => /WITHOUT sandbox isolation/.test(w))).toHaveLength(2);
    // Still a process group per command, killed as one on timeout.
    const marker = unique();
    const r = await unisolated.exec(sandbox.id, `sleep ${marker} & sleep 120`, { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    await waitUntil(() => hostProcesses(asPattern(marker)) === '');
  });
});

/** A gzipped tar with exactly these entries, as an attacker (not our archive) would write it. */
function craftedArchive(entries: Array<{ path: string; type: 'File' | 'SymbolicLink'; linkpath?: string; body?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const header = new tar.Header({ path: e.path, type: e.type, linkpath: e.linkpath, mode: 0o644, size: body.length, mtime: new Date(0) });
    const block = Buffer.alloc(512);
    header.encode(block);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Polls a condition about processes the kernel reaps asynchronously (never a fixed sleep). */
async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}
