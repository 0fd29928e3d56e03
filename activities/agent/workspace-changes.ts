import type { ToolContext } from './tools.ts';

export interface FileChange {
  path: string;
  /** git's status letters: M modified, A added, D deleted, R renamed, ?? untracked. */
  status: string;
}

const MAX_CHANGES_PER_STEP = 50;
const STATE_SCRIPT = 'git rev-parse -q --verify HEAD 2>/dev/null || echo none; echo "--"; git status --porcelain=v1 --untracked-files=all 2>/dev/null | head -n 2000';

/**
 * Tells which files a tool call changed, from git: commits made since the last look plus the
 * working tree's status. Bash commands change files without saying so; this makes them visible.
 */
export class WorkspaceChanges {
  private head = 'none';
  private status = new Map<string, string>();

  constructor(private readonly ctx: Pick<ToolContext, 'sandbox' | 'sandboxId' | 'signal'>) {}

  async start(): Promise<void> {
    await this.read();
  }

  /** Files changed since the previous call (at most 50; the rest are summed up in one entry). */
  async since(): Promise<FileChange[]> {
    const previousHead = this.head;
    const previousStatus = this.status;
    await this.read();
    const changed = new Map<string, string>();
    if (this.head !== previousHead && this.head !== 'none') {
      const range = previousHead === 'none' ? this.head : `${previousHead}..${this.head}`;
      const cmd = previousHead === 'none' ? `git show --name-status --format= ${this.head}` : `git diff --name-status ${range}`;
      const diff = await this.ctx.sandbox.exec(this.ctx.sandboxId, `${cmd} | head -n 2000`, { signal: this.ctx.signal, timeoutMs: 30_000 });
      for (const line of diff.stdout.split('\n')) {
        const [status, ...rest] = line.split('\t');
        if (status && rest.length) changed.set(rest[rest.length - 1]!, status.charAt(0));
      }
    }
    for (const [path, status] of this.status) if (previousStatus.get(path) !== status) changed.set(path, status);
    const all = [...changed].map(([path, status]) => ({ path, status }));
    if (all.length <= MAX_CHANGES_PER_STEP) return all;
    return [...all.slice(0, MAX_CHANGES_PER_STEP), { path: `(${all.length - MAX_CHANGES_PER_STEP} more files)`, status: '*' }];
  }

  /** Commits whatever is uncommitted, so a session cut short loses nothing from git's point of view. */
  async autosave(message: string): Promise<void> {
    await this.ctx.sandbox.exec(this.ctx.sandboxId, `git add -A && git commit -q -m '${message.replace(/'/g, '')}' || true`, { timeoutMs: 60_000 });
  }

  private async read(): Promise<void> {
    const r = await this.ctx.sandbox.exec(this.ctx.sandboxId, STATE_SCRIPT, { signal: this.ctx.signal, timeoutMs: 30_000 });
    const [head = 'none', status = ''] = r.stdout.split('--\n');
    this.head = head.trim() || 'none';
    this.status = new Map(
      status
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(3), line.slice(0, 2).trim()] as [string, string]),
    );
  }
}
