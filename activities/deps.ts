import type { Db } from '../db/connect.ts';
import type { CommandPolicy } from './agent/command-policy.ts';
import type { ModelCatalog } from './agent/models.ts';
import { EventLog } from './event-log.ts';
import type { SandboxProvider } from './sandbox/provider.ts';
import type { ArtifactStorage } from './storage/storage.ts';

/** What every activity may use. Built once per worker (server/platform.ts). */
export interface ActivityDeps {
  db: Db;
  sandboxes: SandboxProvider;
  storage: ArtifactStorage;
  anthropic: { apiKey?: string; baseURL?: string };
  agent: {
    maxTurns: number;
    maxTokens: number;
    maxSessionMinutes: number;
    contextWrapUpRatio: number;
    commandTimeoutMs: number;
    featureTarget: number;
    appPort: number;
    models: ModelCatalog;
    commandPolicy: CommandPolicy;
  };
  /** Values that must never appear in events, logs or artifacts. */
  secrets: string[];
  /** File and folder names left out of artifacts and checkpoints wherever they occur (ARTIFACT_EXCLUDE). */
  archiveExclude: string[];
  /** Checkpoints kept per build; older ones are deleted. */
  checkpointRetention: number;
}

export const SPEC_FILE = 'app_spec.txt';
// Where archives live in storage is storage's business; re-exported for the activities that name them.
export { artifactKey, checkpointKey } from './storage/workspace-archives.ts';

export function eventLogFor(deps: ActivityDeps, buildId: string, iteration: number, keyPrefix: string): EventLog {
  return new EventLog(deps.db, buildId, iteration, keyPrefix, deps.secrets);
}

/** Sends a heartbeat every few seconds until stopped, so long calls (a model turn, an upload) never look dead. */
export function heartbeatEvery(ms: number, beat: () => void): () => void {
  const timer = setInterval(beat, ms);
  return () => clearInterval(timer);
}
