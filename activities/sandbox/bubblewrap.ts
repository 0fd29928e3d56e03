import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Where the workspace appears inside the sandbox. */
export const SANDBOX_WORKSPACE = '/workspace';
export const SANDBOX_HOME = '/home/agent';

export interface BubblewrapOptions {
  workspace: string;
  home: string;
  network: boolean;
  cwd: string;
  env: Record<string, string>;
}

/**
 * bwrap arguments for one command. The root is an empty tmpfs: only system folders
 * (read-only), the build's own workspace and home (writable) and a private /tmp exist,
 * so the data dir, other builds, the host's home and the platform's .env are not even visible.
 */
export function bubblewrapArgs(o: BubblewrapOptions, command: string): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv'];
  if (o.network) args.push('--share-net');
  for (const dir of ['/usr', '/etc', '/opt']) {
    if (fs.existsSync(dir)) args.push('--ro-bind', dir, dir);
  }
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) {
    const target = safeReadlink(`/${link}`);
    if (target) args.push('--symlink', target, `/${link}`);
    else if (fs.existsSync(`/${link}`)) args.push('--ro-bind', `/${link}`, `/${link}`);
  }
  args.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run');
  args.push('--bind', o.workspace, SANDBOX_WORKSPACE, '--bind', o.home, SANDBOX_HOME);
  args.push('--chdir', o.cwd);
  for (const [k, v] of Object.entries(o.env)) args.push('--setenv', k, v);
  args.push('/bin/bash', '-c', command);
  return args;
}

function safeReadlink(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null;
  }
}

/** Null when bubblewrap works here, else why not (missing, or namespaces refused). */
export function bubblewrapProblem(): string | null {
  const probe = spawnSync('bwrap', ['--unshare-all', '--die-with-parent', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '/bin/true'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.error) return `bubblewrap (bwrap) is not installed: ${probe.error.message}. Install it (Debian/Ubuntu: apt-get install bubblewrap).`;
  if (probe.status !== 0) return `bubblewrap cannot create namespaces here: ${probe.stderr.trim() || `exit ${probe.status}`}.`;
  return null;
}
