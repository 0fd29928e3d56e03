import { ApplicationFailure, Context } from '@temporalio/activity';
import { findBuild, updateBuildProgress } from '../db/builds.ts';
import { eventLogFor, heartbeatEvery, SPEC_FILE, type ActivityDeps } from './deps.ts';
import { SandboxLostError } from './sandbox/provider.ts';
import { storeArtifact, storeCheckpoint } from './storage/workspace-archives.ts';

export function sandboxLifecycleActivities(deps: ActivityDeps) {
  const { db, sandboxes, storage } = deps;

  return {
    /**
     * A sandbox ready for the next session: from the checkpoint when there is one (after a lost
     * sandbox, or when a failed build is resumed), else fresh with the spec and an empty git repo.
     */
    async provisionSandbox(input: { buildId: string; restoreFrom: string | null; iteration: number }): Promise<{ sandboxId: string }> {
      const build = await findBuild(db, input.buildId);
      if (!build) throw ApplicationFailure.nonRetryable(`Build ${input.buildId} does not exist`, 'InvalidSpec');
      const stop = heartbeatEvery(5_000, () => Context.current().heartbeat());
      try {
        const { id: sandboxId } = await sandboxes.create({ buildId: input.buildId });
        const events = eventLogFor(deps, input.buildId, input.iteration, `sandbox.${Context.current().info.workflowExecution?.runId}.${Context.current().info.activityId}`);
        if (input.restoreFrom) {
          const archive = await storage.get(input.restoreFrom);
          if (!archive) throw ApplicationFailure.nonRetryable(`Checkpoint ${input.restoreFrom} is missing from storage`, 'CheckpointMissing');
          await sandboxes.extract(sandboxId, archive);
          events.add('sandbox_restored', { sandboxId, provider: sandboxes.name, checkpoint: input.restoreFrom });
        } else {
          if ((await sandboxes.readFile(sandboxId, SPEC_FILE)) === null) await sandboxes.writeFile(sandboxId, SPEC_FILE, build.spec_content);
          const git = await sandboxes.exec(sandboxId, 'test -d .git || git init -q -b main', { timeoutMs: 60_000 });
          if (git.exitCode !== 0) throw new Error(`git init failed in the sandbox: ${git.stderr.trim()}`);
          events.add('sandbox_created', { sandboxId, provider: sandboxes.name });
        }
        await updateBuildProgress(db, input.buildId, { sandboxId });
        await events.flush();
        return { sandboxId };
      } finally {
        stop();
      }
    },

    /** Saves the workspace as a checkpoint, keeping the newest few per build. */
    async checkpointWorkspace(input: { buildId: string; sandboxId: string; iteration: number }): Promise<{ key: string; sizeBytes: number }> {
      const stop = heartbeatKeepingSandbox(deps, input.sandboxId);
      try {
        const archive = await sandboxes.archive(input.sandboxId, { exclude: deps.archiveExclude });
        const stored = await storeCheckpoint(deps, input.buildId, input.iteration, archive);
        return { key: stored.key, sizeBytes: stored.sizeBytes };
      } catch (err) {
        throw lostAsFailure(err);
      } finally {
        stop();
      }
    },

    /** Streams the workspace into storage as tar.gz and records its size, checksum and file count. */
    async saveArtifact(input: { buildId: string; sandboxId: string }): Promise<{ sizeBytes: number }> {
      const stop = heartbeatKeepingSandbox(deps, input.sandboxId);
      try {
        const archive = await sandboxes.archive(input.sandboxId, { exclude: deps.archiveExclude });
        const stored = await storeArtifact(deps, input.buildId, archive);
        const events = eventLogFor(deps, input.buildId, 0, `artifact.${stored.sha256}`);
        events.add('artifact_saved', { sizeBytes: stored.sizeBytes, sha256: stored.sha256, fileCount: stored.fileCount });
        await events.flush();
        return { sizeBytes: stored.sizeBytes };
      } catch (err) {
        throw lostAsFailure(err);
      } finally {
        stop();
      }
    },

    async destroySandbox(input: { buildId: string; sandboxId: string }): Promise<void> {
      await sandboxes.destroy(input.sandboxId);
      await updateBuildProgress(db, input.buildId, { sandboxId: null });
    },

    /**
     * While its build is paused a sandbox should cost nothing: E2B snapshots it (a local one has
     * nothing running). Lost instead is fine too: the build restores from its checkpoint on resume.
     */
    async pauseSandbox(input: { buildId: string; sandboxId: string }): Promise<void> {
      try {
        await sandboxes.pause(input.sandboxId);
      } catch (err) {
        throw lostAsFailure(err);
      }
    },

    /** Wakes a paused sandbox before the next session (any use would, this just does it up front). */
    async resumeSandbox(input: { buildId: string; sandboxId: string }): Promise<void> {
      try {
        await sandboxes.resume(input.sandboxId);
      } catch (err) {
        throw lostAsFailure(err);
      }
    },
  };
}

/** Heartbeats that also push back the sandbox's expiry (E2B lifetime) while its workspace streams out. */
function heartbeatKeepingSandbox(deps: ActivityDeps, sandboxId: string): () => void {
  return heartbeatEvery(5_000, () => {
    Context.current().heartbeat();
    void deps.sandboxes.keepAlive(sandboxId).catch(() => undefined);
  });
}

/** A vanished sandbox is not worth retrying: the workflow restores from a checkpoint instead. */
export function lostAsFailure(err: unknown): unknown {
  if (err instanceof SandboxLostError) return ApplicationFailure.create({ type: 'SandboxLost', message: err.message, nonRetryable: true });
  return err;
}
