import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface PlatformProcess {
  child: ChildProcess;
  /** The dashboard URL; null for ROLE=worker. */
  url: string | null;
  output: () => string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
}

/** Runs the platform exactly as `npm start` does (server/main.ts), as a separate process. */
export async function spawnPlatform(env: Record<string, string>, timeoutMs = 120_000): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start in time:\n${out}`)), timeoutMs);
    const onData = () => {
      if (!out.includes('Press Ctrl-C to stop.')) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(/Dashboard:\s+(\S+)/.exec(out)?.[1] ?? null);
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited (${code}) before it started:\n${out}`));
    });
  });
  return { child, url, output: () => out, exited };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
