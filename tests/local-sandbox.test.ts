import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { LocalSandboxProvider } from '../activities/sandbox/local.ts';

describe('local sandbox (bubblewrap)', () => {
  let root: string;
  let provider: LocalSandboxProvider;
  let sandboxId: string;
  let secretFile: string;

  beforeAll(async () => {
    root = path.join(inject('tmpRoot'), 'sandbox-test');
    fs.mkdirSync(root, { recursive: true });
    // Planted outside the workspace, beside the sandboxes as a data dir file would be.
    secretFile = path.join(root, 'secret.txt');
    fs.writeFileSync(secretFile, 'top secret');
    provider = new LocalSandboxProvider({ root: path.join(root, 'sandboxes'), network: false, allowUnisolated: false, defaultTimeoutMs: 30_000 });
    ({ id: sandboxId } = await provider.create({ buildId: 'b1' }));
  });
  afterAll(async () => {
    await provider.destroy(sandboxId);
  });

  it('is isolated here', () => {
    expect(provider.isolated).toBe(true);
  });

  it('runs commands in the workspace and keeps what they write', async () => {
    const r = await provider.exec(sandboxId, 'pwd && echo hello > note.txt && mkdir -p src && echo x > src/a.txt');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('/workspace');
    expect(await provider.readFile(sandboxId, 'note.txt')).toBe('hello\n');
    expect(await provider.readFile(sandboxId, '/workspace/src/a.txt')).toBe('x\n');
  });

  it('cannot read or write outside its workspace, nor see host processes or secrets', async () => {
    const read = await provider.exec(sandboxId, `cat ${secretFile}`);
    expect(read.exitCode).not.toBe(0);
    expect(read.stdout).not.toContain('top secret');
    const write = await provider.exec(sandboxId, `echo pwned > ${path.join(root, 'pwned.txt')}`);
    expect(write.exitCode).not.toBe(0);
    expect(fs.existsSync(path.join(root, 'pwned.txt'))).toBe(false);
    const ps = await provider.exec(sandboxId, 'cat /proc/[0-9]*/cmdline | tr "\\0" " "');
    expect(ps.stdout).not.toContain('vitest');
    process.env.SANDBOX_TEST_SECRET = 'must-not-leak-123456';
    const env = await provider.exec(sandboxId, 'env');
    expect(env.stdout).not.toContain('must-not-leak-123456');
    expect(env.stdout).toContain('HOME=/home/agent');
  });

  it('refuses file paths that leave the workspace, including through a symlink', async () => {
    await expect(provider.readFile(sandboxId, '../../secret.txt')).rejects.toThrow(/outside the workspace/);
    await provider.exec(sandboxId, `ln -s ${root} escape`);
    await expect(provider.readFile(sandboxId, 'escape/secret.txt')).rejects.toThrow(/outside the workspace/);
    await expect(provider.writeFile(sandboxId, 'escape/new.txt', 'x')).rejects.toThrow(/outside the workspace/);
  });

  it('kills a timed-out command together with what it started in the background', async () => {
    const r = await provider.exec(sandboxId, 'sleep 1007 & sleep 60', { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    await new Promise((res) => setTimeout(res, 300));
    const left = execFileSync('sh', ['-c', 'pgrep -f "sleep 100[7]" || true'], { encoding: 'utf8' });
    expect(left.trim()).toBe('');
  });

  it('reports non-zero exits as results, and caps kept output while counting all of it', async () => {
    const small = new LocalSandboxProvider({ root: path.join(root, 'sandboxes'), network: false, allowUnisolated: false, defaultTimeoutMs: 30_000, maxOutputBytes: 1000 });
    const r = await small.exec(sandboxId, 'head -c 5000 /dev/zero | tr "\\0" a; exit 3');
    expect(r.exitCode).toBe(3);
    expect(r.stdout.length).toBe(1000);
    expect(r.outputBytes).toBe(5000);
    expect(r.truncated).toBe(true);
  });
});
