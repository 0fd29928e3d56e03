import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SANDBOX_WORKSPACE } from './provider.ts';

export { SANDBOX_WORKSPACE };
export const SANDBOX_HOME = '/home/agent';
/** The unprivileged user commands run as inside the sandbox (mapped to the platform's own user outside). */
export const SANDBOX_UID = 1000;

/** Host folders the sandbox sees, read-only: the toolchains agents need, nothing with state in it. */
export const DEFAULT_SYSTEM_DIRS = ['/usr', '/etc', '/opt'];

export interface BubblewrapOptions {
  workspace: string;
  home: string;
  network: boolean;
  cwd: string;
  env: Record<string, string>;
  /** Host folders mounted read-only at the same path (default DEFAULT_SYSTEM_DIRS). */
  systemDirs?: string[];
  /**
   * Host paths to hide even when they lie inside a system folder (DATA_DIR, the platform's own
   * folder with its .env): a folder is covered by an empty tmpfs, a file by /dev/null.
   */
  hiddenPaths?: string[];
}

/**
 * bwrap arguments for one command (`argv` runs inside). The root is an empty tmpfs: only system
 * folders (read-only), the build's own workspace and home (writable) and a private /tmp exist,
 * so the data dir, other builds, the host's home and the platform's .env are not even visible.
 * Every namespace is new (user, pid, mount, ipc, uts, cgroup, and net unless network is on), and
 * the command runs as an unprivileged user with no capabilities, even when the platform runs as
 * root: root inside a mount namespace could otherwise mount or mknod its way out.
 */
export function bubblewrapCommand(o: BubblewrapOptions, argv: string[]): { args: string[]; fd3: string } {
  // The options travel through fd 3 (`--args 3`), not the command line: bwrap is pid 1 inside, and
  // its command line (host paths, environment) would otherwise be readable in /proc/1/cmdline.
  return { args: ['--args', '3', '--', ...argv], fd3: `${bubblewrapOptions(o).join('\0')}\0` };
}

function bubblewrapOptions(o: BubblewrapOptions): string[] {
  const args = ['--unshare-all', '--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--cap-drop', 'ALL'];
  args.push('--die-with-parent', '--new-session', '--clearenv');
  if (o.network) args.push('--share-net');
  // Private /tmp and /run come first, so they cover nothing mounted after them (a system folder under /tmp stays visible).
  args.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run');
  for (const dir of o.systemDirs ?? DEFAULT_SYSTEM_DIRS) {
    if (fs.existsSync(dir)) args.push('--ro-bind', dir, dir);
  }
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) {
    const target = safeReadlink(`/${link}`);
    if (target) args.push('--symlink', target, `/${link}`);
    else if (fs.existsSync(`/${link}`)) args.push('--ro-bind', `/${link}`, `/${link}`);
  }
  for (const hidden of maskedPaths(o.systemDirs ?? DEFAULT_SYSTEM_DIRS, o.hiddenPaths ?? [])) {
    if (fs.statSync(hidden, { throwIfNoEntry: false })?.isDirectory()) args.push('--tmpfs', hidden);
    else args.push('--ro-bind', '/dev/null', hidden);
  }
  args.push('--bind', o.workspace, SANDBOX_WORKSPACE, '--bind', o.home, SANDBOX_HOME);
  args.push('--chdir', o.cwd);
  for (const [k, v] of Object.entries(o.env)) args.push('--setenv', k, v);
  return args;
}

/** The hidden paths that exist and would otherwise be visible through a mounted system folder. */
function maskedPaths(systemDirs: string[], hidden: string[]): string[] {
  return hidden
    .map((p) => path.resolve(p))
    .filter((p) => fs.existsSync(p) && systemDirs.some((dir) => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`)));
}

function safeReadlink(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null;
  }
}

/** The absolute path of the bwrap binary: PATH is searched once, so bwrap can start with an empty environment. */
export function findBubblewrap(bwrap = 'bwrap'): string {
  if (bwrap.includes('/')) return path.resolve(bwrap);
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir || '.', bwrap);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return bwrap;
}

/** Null when bubblewrap works here with the namespaces we use, else why not (missing, or namespaces refused). */
export function bubblewrapProblem(bwrap = 'bwrap'): string | null {
  const probe = spawnSync(
    bwrap,
    ['--unshare-all', '--unshare-user', '--uid', String(SANDBOX_UID), '--cap-drop', 'ALL', '--die-with-parent', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--proc', '/proc', '/bin/true'],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (probe.error) return `bubblewrap (bwrap) is not installed: ${probe.error.message}. Install it (Debian/Ubuntu: apt-get install bubblewrap).`;
  if (probe.status !== 0) {
    return `bubblewrap cannot create namespaces here: ${probe.stderr.trim() || `exit ${probe.status}`}. Allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or the AppArmor userns restriction on Ubuntu 24.04+), or run in a container started with --privileged or a seccomp profile that permits them.`;
  }
  return null;
}
