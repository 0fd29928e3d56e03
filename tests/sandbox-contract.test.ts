import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Sandbox } from '@e2b/code-interpreter';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2BSandboxProvider } from '../activities/sandbox/e2b.ts';
import { LocalSandboxProvider } from '../activities/sandbox/local.ts';
import { SandboxLostError, SandboxPathError, type SandboxProvider } from '../activities/sandbox/provider.ts';
import { E2BEmulator } from './support/e2b-emulator.ts';

/**
 * What every sandbox provider promises the activities, whichever one is configured. Runs against
 * the local provider always, the e2b provider over an emulated SDK where tests run as root (as in
 * CI), and the real E2B service when E2B_API_KEY is set.
 */
interface ContractTarget {
  provider: SandboxProvider;
  /** Deletes a sandbox behind the provider's back, as an expired lifetime or a cleaned-up disk would. */
  vanish(sandboxId: string): Promise<void>;
}

function sandboxContract(makeTarget: () => ContractTarget) {
  let provider: SandboxProvider;
  let vanish: ContractTarget['vanish'];
  const created: string[] = [];
  const newSandbox = async (buildId = `contract-${randomUUID().slice(0, 8)}`) => {
    const info = await provider.create({ buildId });
    created.push(info.id);
    return info;
  };
  let id: string;
  let buildId: string;

  beforeAll(async () => {
    ({ provider, vanish } = makeTarget());
    ({ id, buildId } = await newSandbox());
  });
  afterAll(async () => {
    for (const sandbox of created) await provider.destroy(sandbox).catch(() => undefined);
  });

  it('creates one sandbox per build: a second create for the same build returns the same one', async () => {
    expect(await provider.status(id)).toBe('running');
    expect((await provider.create({ buildId })).id).toBe(id);
    expect(await provider.connect(id)).toEqual({ id, buildId });
    expect(await provider.list()).toContainEqual({ id, buildId, status: 'running' });
  });

  it('runs commands in the workspace, keeps their files, and reports a non-zero exit as a result', async () => {
    const r = await provider.exec(id, 'pwd && mkdir -p src && echo hello > src/note.txt && echo oops >&2 && exit 3');
    expect(r).toMatchObject({ exitCode: 3, timedOut: false, aborted: false });
    expect(r.stdout.trim()).toBe('/workspace');
    expect(r.stderr.trim()).toBe('oops');
    expect(await provider.readFile(id, 'src/note.txt')).toBe('hello\n');
    expect((await provider.exec(id, 'cat note.txt', { cwd: 'src' })).stdout).toBe('hello\n');
  });

  it('streams output while the command runs, and an abort kills it with everything it started', async () => {
    const marker = `1000.${Math.floor(Math.random() * 1e6)}`;
    const abort = new AbortController();
    const seen: string[] = [];
    const r = await provider.exec(id, `sleep ${marker} & echo started; sleep ${marker}`, {
      signal: abort.signal,
      onOutput: (chunk) => {
        seen.push(chunk);
        // Only output that arrives before the command ends can stop it.
        if (chunk.includes('started')) abort.abort();
      },
    });
    expect(seen.join('')).toContain('started');
    expect(r).toMatchObject({ aborted: true, timedOut: false });
    expect(r.exitCode).not.toBe(0);
    const left = await provider.exec(id, `pgrep -f 'sleep ${marker.replace('.', '[.]')}' || true`);
    expect(left.stdout.trim()).toBe('');
  });

  it('kills a timed-out command together with `sleep 1000 &` it started in the background', async () => {
    const marker = `1000.${Math.floor(Math.random() * 1e6)}`;
    const r = await provider.exec(id, `sleep ${marker} & sleep 120`, { timeoutMs: 1_000 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).not.toBe(0);
    const left = await provider.exec(id, `pgrep -f 'sleep ${marker.replace('.', '[.]')}' || true`);
    expect(left.stdout.trim()).toBe('');
  });

  it('counts all output but keeps only up to its cap', async () => {
    const r = await provider.exec(id, `head -c 3000000 /dev/zero | tr '\\0' a`);
    expect(r.exitCode).toBe(0);
    expect(r.outputBytes).toBe(3_000_000);
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBeLessThan(3_000_000);
  });

  it('reads, writes and lists files; a missing one is null; a path leaving the workspace is refused', async () => {
    await provider.writeFile(id, 'deep/er/file.txt', 'content');
    await provider.writeFile(id, '/workspace/deep/bytes.bin', new Uint8Array([0x41, 0x42]));
    expect(await provider.readFile(id, '/workspace/deep/er/file.txt')).toBe('content');
    expect(await provider.readFile(id, 'deep/bytes.bin')).toBe('AB');
    expect(await provider.readFile(id, 'deep/missing.txt')).toBeNull();
    const listing = await provider.listFiles(id, 'deep');
    expect(listing?.map((e) => [e.name, e.path, e.type])).toEqual([
      ['bytes.bin', 'deep/bytes.bin', 'file'],
      ['er', 'deep/er', 'dir'],
    ]);
    expect(listing?.[0]?.size).toBe(2);
    expect(await provider.listFiles(id, 'nowhere')).toBeNull();
    await expect(provider.readFile(id, '../outside.txt')).rejects.toBeInstanceOf(SandboxPathError);
    await expect(provider.writeFile(id, '/etc/passwd', 'x')).rejects.toBeInstanceOf(SandboxPathError);
  });

  it('round-trips a workspace through archive and extract: files, modes, links, exclusions', async () => {
    await provider.exec(
      id,
      [
        'mkdir -p app/bin node_modules/pkg app/node_modules',
        'echo run > app/bin/run.sh && chmod 755 app/bin/run.sh',
        'echo secret > app/key && chmod 600 app/key',
        'echo dep > node_modules/pkg/index.js && echo dep > app/node_modules/x.js',
        'ln -s bin/run.sh app/link-inside',
        'ln -s /etc/passwd app/link-outside',
      ].join(' && '),
    );
    const archive = await provider.archive(id, { exclude: ['node_modules'] });
    const target = await newSandbox();
    await provider.writeFile(target.id, 'stale.txt', 'from before the restore');
    await provider.extract(target.id, archive);

    const listing = await provider.exec(target.id, `find . -path ./.git -prune -o -print | sort`);
    expect(listing.stdout).not.toContain('node_modules');
    expect(listing.stdout).not.toContain('stale.txt');
    const stat = await provider.exec(target.id, `stat -c '%n %a %F' app/bin/run.sh app/key && readlink app/link-inside app/link-outside && cat app/link-inside`);
    expect(stat.stdout.split('\n')).toEqual(['app/bin/run.sh 755 regular file', 'app/key 600 regular file', 'bin/run.sh', '/etc/passwd', 'run', '']);
    const links = await provider.listFiles(target.id, 'app');
    expect(links?.find((e) => e.name === 'link-outside')).toMatchObject({ type: 'symlink', target: '/etc/passwd' });
  });

  it('archives and extracts a single folder', async () => {
    await provider.exec(id, 'mkdir -p part/a && echo one > part/a/one.txt && echo other > elsewhere.txt');
    const target = await newSandbox();
    await provider.extract(target.id, await provider.archive(id, { path: 'part' }), { path: 'restored' });
    expect(await provider.readFile(target.id, 'restored/a/one.txt')).toBe('one\n');
    expect(await provider.readFile(target.id, 'restored/elsewhere.txt')).toBeNull();
  });

  it('pauses and resumes; any use of a paused sandbox resumes it', async () => {
    await provider.writeFile(id, 'before-pause.txt', 'kept');
    await provider.pause(id);
    expect(await provider.status(id)).toBe(provider.supportsPause ? 'paused' : 'running');
    expect(await provider.readFile(id, 'before-pause.txt')).toBe('kept');
    expect(await provider.status(id)).toBe('running');
    await provider.pause(id);
    await provider.resume(id);
    expect(await provider.status(id)).toBe('running');
    await provider.keepAlive(id);
  });

  it('gives a preview URL for a port, or says it cannot', async () => {
    const url = await provider.previewUrl(id, 5173);
    if (url !== null) expect(new URL(url).toString()).toContain('5173');
  });

  it('reports a sandbox that vanished behind its back as lost, so the build restores from a checkpoint', async () => {
    const doomed = await newSandbox();
    expect((await provider.exec(doomed.id, 'echo alive')).stdout).toBe('alive\n');
    await vanish(doomed.id);
    await expect(provider.exec(doomed.id, 'echo alive')).rejects.toBeInstanceOf(SandboxLostError);
    await expect(provider.writeFile(doomed.id, 'x.txt', 'x')).rejects.toBeInstanceOf(SandboxLostError);
    expect(await provider.status(doomed.id)).toBe('gone');
  });

  it('is gone once destroyed: status says so and every use throws SandboxLost', async () => {
    const doomed = await newSandbox();
    await provider.destroy(doomed.id);
    expect(await provider.status(doomed.id)).toBe('gone');
    await expect(provider.exec(doomed.id, 'true')).rejects.toBeInstanceOf(SandboxLostError);
    await expect(provider.readFile(doomed.id, 'x')).rejects.toBeInstanceOf(SandboxLostError);
    await expect(provider.archive(doomed.id)).rejects.toBeInstanceOf(SandboxLostError);
    await expect(provider.extract(doomed.id, Readable.from([]))).rejects.toBeInstanceOf(SandboxLostError);
    await expect(provider.connect(doomed.id)).rejects.toBeInstanceOf(SandboxLostError);
    await provider.destroy(doomed.id); // twice is fine
    expect((await provider.list()).map((s) => s.id)).not.toContain(doomed.id);
  });
}

const tmpDir = (name: string) => {
  const dir = path.join(inject('tmpRoot'), `${name}-${randomUUID().slice(0, 8)}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

describe('sandbox contract: local (bubblewrap)', () => {
  sandboxContract(() => {
    const root = tmpDir('contract-local');
    return {
      provider: new LocalSandboxProvider({ root, network: false, allowUnisolated: false, defaultTimeoutMs: 60_000 }),
      vanish: async (id) => fs.rmSync(path.join(root, id), { recursive: true, force: true }),
    };
  });
});

const isRoot = process.getuid?.() === 0;
describe.skipIf(!isRoot)(`sandbox contract: e2b provider over an emulated E2B SDK${isRoot ? '' : ' (skipped: the emulator runs commands as root, so it needs tests run as root, as CI does)'}`, () => {
  sandboxContract(() => {
    const sdk = new E2BEmulator(tmpDir('contract-e2b-emulated'));
    return { provider: new E2BSandboxProvider({ apiKey: 'emulated', lifetimeMs: 30 * 60_000, network: false, defaultTimeoutMs: 60_000, sdk }), vanish: (id) => sdk.expire(id) };
  });
});

const e2bKey = process.env.E2B_API_KEY;
describe.skipIf(!e2bKey)(`sandbox contract: e2b (real E2B cloud)${e2bKey ? '' : ' (skipped: set E2B_API_KEY to run it against E2B)'}`, () => {
  sandboxContract(() => ({
    provider: new E2BSandboxProvider({ apiKey: e2bKey!, template: process.env.E2B_TEMPLATE || undefined, lifetimeMs: 10 * 60_000, network: true, defaultTimeoutMs: 60_000 }),
    vanish: async (id) => void (await Sandbox.kill(id, { apiKey: e2bKey! })),
  }));
});
