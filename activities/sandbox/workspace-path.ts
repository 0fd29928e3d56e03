import path from 'node:path';
import { SandboxPathError } from './errors.ts';
import { SANDBOX_WORKSPACE } from './provider.ts';

/**
 * A path as the agent gives it (relative, or absolute under /workspace) made relative to the
 * workspace root, refusing anything that leaves it. '.' is the root itself.
 */
export function workspaceRelative(p: string): string {
  const inside = p === SANDBOX_WORKSPACE || p.startsWith(`${SANDBOX_WORKSPACE}/`) ? path.posix.relative(SANDBOX_WORKSPACE, p) || '.' : p;
  const rel = path.posix.normalize(inside);
  if (path.posix.isAbsolute(rel) || rel === '..' || rel.startsWith('../')) throw new SandboxPathError(`Path is outside the workspace: ${p}`);
  return rel;
}

/** The absolute path inside the sandbox for a workspace path. */
export function sandboxPath(p: string): string {
  return path.posix.join(SANDBOX_WORKSPACE, workspaceRelative(p));
}
