import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

/** Registered on every dev server we start; the workflow upserts them (workflows/search-attributes.ts). */
export const SEARCH_ATTRIBUTE_FLAGS = [
  'BuildId=Keyword',
  'BuildStatus=Keyword',
  'BuildOwner=Keyword',
  'BuildIteration=Int',
  'FeaturesPassing=Int',
  'FeaturesTotal=Int',
].flatMap((sa) => ['--search-attribute', sa]);

export interface DevServerOptions {
  binary: string;
  port: number;
  /** null runs headless (no Web UI). */
  uiPort: number | null;
  /** sqlite file that keeps workflows across restarts; in-memory when omitted. */
  dbFile?: string;
  /** Where the pid of a running server is kept, so a crashed parent's server can be stopped next time. */
  pidFile?: string;
  namespace?: string;
  onLog?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  pid: number;
  stop(): Promise<void>;
}

// The dev server runs under a tiny shell watchdog that holds the read end of a pipe from us.
// When this process ends in any way, SIGKILL included, the pipe closes and the watchdog stops
// the server, so no temporal process is ever orphaned.
const WATCHDOG = `"$@" </dev/null & child=$!
echo "pid:$child"
trap 'kill -TERM $child 2>/dev/null' INT TERM
read _ignored || true
kill -TERM $child 2>/dev/null
wait $child`;

export async function startTemporalDevServer(o: DevServerOptions): Promise<DevServer> {
  if (o.pidFile) await stopStaleServer(o.pidFile);
  if (await portInUse(o.port)) {
    throw new Error(`Port ${o.port} is already in use, so the embedded Temporal server cannot start. Set TEMPORAL_PORT to a free port, or TEMPORAL_ADDRESS to use a running Temporal server.`);
  }
  if (o.uiPort !== null && (await portInUse(o.uiPort))) {
    throw new Error(`Port ${o.uiPort} is already in use, so the Temporal Web UI cannot start. Set TEMPORAL_UI_PORT to a free port.`);
  }
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--namespace', o.namespace ?? 'default', '--log-level', 'warn', ...SEARCH_ATTRIBUTE_FLAGS];
  if (o.uiPort === null) args.push('--headless');
  else args.push('--ui-port', String(o.uiPort), '--ui-ip', '127.0.0.1');
  if (o.dbFile) {
    fs.mkdirSync(path.dirname(o.dbFile), { recursive: true });
    args.push('--db-filename', o.dbFile);
  }
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'temporal-watchdog', o.binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = await readServerPid(watchdog, o.onLog);
  if (o.pidFile) fs.writeFileSync(o.pidFile, String(pid));
  const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));

  const stop = async () => {
    watchdog.stdin?.end();
    const timeout = setTimeout(() => killQuietly(pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
    if (o.pidFile) fs.rmSync(o.pidFile, { force: true });
  };

  const address = `127.0.0.1:${o.port}`;
  try {
    await waitUntilServing(address, exited);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl: o.uiPort === null ? null : `http://localhost:${o.uiPort}`, pid, stop };
}

function readServerPid(child: ChildProcess, onLog?: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let pid: number | null = null;
    const onLine = (line: string) => {
      const m = /^pid:(\d+)$/.exec(line);
      if (m && pid === null) {
        pid = Number(m[1]);
        resolve(pid);
      } else if (line.trim()) onLog?.(line);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.stderr?.on('data', (chunk: Buffer) => chunk.toString('utf8').split('\n').forEach((l) => l.trim() && onLog?.(l)));
    child.once('error', reject);
    child.once('exit', (code) => pid === null && reject(new Error(`Temporal dev server exited at start (code ${code})`)));
  });
}

async function waitUntilServing(address: string, exited: Promise<void>, timeoutMs = 60_000): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error('Temporal dev server exited during start-up; run it by hand to see why: temporal server start-dev');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address} within ${timeoutMs / 1000} s`);
}

/** A server left by a parent that was killed before its watchdog finished: stop it and wait until it is gone. */
async function stopStaleServer(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isTemporalProcess(pid)) {
    killQuietly(pid, 'SIGKILL');
    for (let i = 0; i < 100 && isTemporalProcess(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  fs.rmSync(pidFile, { force: true });
}

function isTemporalProcess(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev');
  } catch {
    return false;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
