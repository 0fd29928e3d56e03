import fs from 'node:fs/promises';
import path from 'node:path';
import { SandboxPathError } from './errors.ts';
import { SANDBOX_WORKSPACE } from './provider.ts';

const MAX_SYMLINK_HOPS = 40;

/**
 * The host path for a workspace-relative path, with every symlink on the way resolved by hand
 * the way the sandbox would see it: a link to `/workspace/...` means the workspace, a link
 * anywhere else, or a `..` that climbs out, is refused. The host never follows a link the agent
 * made, dangling ones included (a dangling link to /tmp/x would otherwise let a write create
 * /tmp/x on the host). No sandbox process runs between commands, so nothing can swap a folder
 * for a link between this check and the read or write that follows it.
 */
export async function resolveInWorkspace(workspace: string, rel: string, original = rel): Promise<string> {
  const root = await fs.realpath(workspace);
  const outside = () => new SandboxPathError(`Path leads outside the workspace: ${original}`);
  let current = root;
  let parts = split(rel);
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '..') {
      if (current === root) throw outside();
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    const stat = await fs.lstat(next).catch(() => null);
    if (!stat?.isSymbolicLink()) {
      current = next; // a real file or folder, or one about to be created
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) throw new SandboxPathError(`Too many levels of symbolic links: ${original}`);
    const target = await fs.readlink(next);
    if (path.posix.isAbsolute(target)) {
      if (target !== SANDBOX_WORKSPACE && !target.startsWith(`${SANDBOX_WORKSPACE}/`)) throw outside();
      current = root;
      parts = [...split(path.posix.relative(SANDBOX_WORKSPACE, target)), ...parts];
    } else {
      parts = [...split(target), ...parts];
    }
  }
  return current;
}

function split(p: string): string[] {
  return p.split('/').filter((part) => part !== '' && part !== '.');
}

/** Removes a folder tree even where the agent took away write permission (Go's module cache does). */
export async function removeTree(target: string): Promise<void> {
  try {
    await fs.rm(target, { recursive: true, force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    await makeWritable(target);
    await fs.rm(target, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  const stat = await fs.lstat(dir).catch(() => null);
  if (!stat?.isDirectory()) return;
  await fs.chmod(dir, 0o700);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await makeWritable(path.join(dir, entry.name));
  }
}

/** Empties a folder without removing it (it may be a mount point). */
export async function emptyDir(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir)) await removeTree(path.join(dir, entry));
}
