import type { Db } from '../../db/connect.ts';
import { ACTIVE_STATUSES, findBuildStatuses } from '../../db/builds.ts';
import type { SandboxProvider } from './provider.ts';

/** What the reaper reports to; pino's logger fits. */
export interface ReaperLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface ReapResult {
  destroyed: string[];
  /** E2B sandboxes tagged by this platform whose build is not in this database (see below). */
  unknown: string[];
}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Destroys sandboxes whose build has finished. The workflow destroys its sandbox itself; this
 * catches the ones a crash, a lost cleanup activity or a deleted build left behind, which would
 * otherwise hold disk (local) or cost money (E2B) forever.
 *
 * A local sandbox whose build row is gone is reaped too: the folder is this platform's alone. An
 * E2B sandbox whose build is unknown is left alone: another deployment (staging, a colleague's
 * laptop) may share the E2B account, and nothing here extends its lifetime, so it expires anyway.
 */
export async function reapOrphanSandboxes(provider: SandboxProvider, db: Db, log: ReaperLog): Promise<ReapResult> {
  const sandboxes = await provider.list();
  const statuses = await findBuildStatuses(db, [...new Set(sandboxes.map((s) => s.buildId))]);
  const result: ReapResult = { destroyed: [], unknown: [] };
  for (const sandbox of sandboxes) {
    const status = statuses.get(sandbox.buildId);
    if (status === undefined && provider.name !== 'local') {
      result.unknown.push(sandbox.id);
      continue;
    }
    if (status !== undefined && !FINISHED.has(status)) continue;
    // A failed or cancelled build may have been resumed since the list was read: ask once more.
    const now = (await findBuildStatuses(db, [sandbox.buildId])).get(sandbox.buildId);
    if (now !== undefined && ACTIVE_STATUSES.includes(now)) continue;
    try {
      await provider.destroy(sandbox.id);
      result.destroyed.push(sandbox.id);
      log.info({ sandboxId: sandbox.id, buildId: sandbox.buildId, buildStatus: now ?? 'missing', provider: provider.name }, 'destroyed an orphaned sandbox');
    } catch (err) {
      log.warn({ err, sandboxId: sandbox.id, buildId: sandbox.buildId }, 'could not destroy an orphaned sandbox; will try again');
    }
  }
  return result;
}

export interface SandboxReaper {
  /** Resolves after the pass in progress, if any, has finished. */
  stop(): Promise<void>;
}

/** Reaps once right away (in the background, so a slow provider does not hold up the worker's start) and then every `intervalMs`. */
export function startSandboxReaper(o: { provider: SandboxProvider; db: Db; log: ReaperLog; intervalMs: number; onPass?: (result: ReapResult) => void }): SandboxReaper {
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = () => {
    if (running || stopped) return; // never two passes at once
    running = reapOrphanSandboxes(o.provider, o.db, o.log)
      .then((result) => o.onPass?.(result))
      .catch((err: unknown) => o.log.warn({ err }, 'sandbox reaper pass failed; will try again'))
      .finally(() => {
        running = null;
      });
  };
  pass();
  const timer = setInterval(pass, o.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
