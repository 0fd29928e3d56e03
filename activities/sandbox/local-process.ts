import { spawn } from 'node:child_process';
import os from 'node:os';
import { OutputCollector } from './output.ts';
import type { ExecOptions, ExecResult } from './provider.ts';
import { armKillSwitch } from './kill-switch.ts';

export interface RunOptions {
  argv: string[];
  /** Host working directory (unisolated runs only; bwrap sets its own). */
  cwd?: string;
  env?: Record<string, string>;
  /** Written to the child's fd 3 and closed (bwrap reads its options there). */
  fd3?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onOutput?: ExecOptions['onOutput'];
  maxOutputBytes: number;
  /**
   * How the whole process tree is ended. 'namespace': the process is bwrap, whose pid namespace
   * dies with it (--die-with-parent, pid 1 inside). 'group': a process group of its own, killed
   * as a group, the best there is without namespaces.
   */
  tree: 'namespace' | 'group';
}

/**
 * Runs one command to completion and collects its output. A timeout or an abort kills every
 * process the command started; so does the command's own exit, so nothing it left in the
 * background outlives it (the next command starts from the same clean slate either way).
 */
export function runProcess(o: RunOptions): Promise<ExecResult> {
  const child = spawn(o.argv[0]!, o.argv.slice(1), { cwd: o.cwd, env: o.env, detached: o.tree === 'group', stdio: ['ignore', 'pipe', 'pipe', ...(o.fd3 !== undefined ? (['pipe'] as const) : [])] });
  if (o.fd3 !== undefined) {
    const fd3 = child.stdio[3] as NodeJS.WritableStream & { on(event: 'error', fn: () => void): unknown };
    fd3.on('error', () => undefined); // a child that died early has closed it: its exit says why
    fd3.end(o.fd3);
  }
  const output = new OutputCollector(o.maxOutputBytes, o.onOutput);
  const killTree = () => {
    try {
      if (o.tree === 'group' && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  };
  return new Promise((resolve, reject) => {
    const stop = armKillSwitch(o.timeoutMs, o.signal, killTree);
    child.stdout!.on('data', (chunk: Buffer) => output.add('stdout', chunk));
    child.stderr!.on('data', (chunk: Buffer) => output.add('stderr', chunk));
    // A background process holding stdout open would otherwise keep 'close' from ever firing.
    child.on('exit', () => {
      if (o.tree === 'group') killTree();
    });
    child.on('error', (err) => {
      stop.dispose();
      reject(err);
    });
    child.on('close', (code, signal) => {
      stop.dispose();
      resolve({
        exitCode: code ?? 128 + signalNumber(signal),
        stdout: output.text('stdout'),
        stderr: output.text('stderr'),
        timedOut: stop.timedOut,
        aborted: stop.aborted,
        outputBytes: output.totalBytes,
        truncated: output.truncated,
      });
    });
  });
}

/** A process killed by a signal reports 128 + its number, as a shell would. */
function signalNumber(signal: NodeJS.Signals | null): number {
  return (signal && os.constants.signals[signal]) || os.constants.signals.SIGKILL;
}
