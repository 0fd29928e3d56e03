import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { findBuild, recordSession, updateBuildProgress } from '../db/builds.ts';
import type { Db } from '../db/connect.ts';
import { latestFeatureSnapshot, saveFeatureSnapshot } from '../db/feature-snapshots.ts';
import { upsertArtifact } from '../db/artifacts.ts';
import type { AgentIterationInput, AgentIterationResult, FeatureProgress, ProgressUpdate } from '../workflows/types.ts';
import { renderPrompt } from './agent/prompts.ts';
import { runAgentSession } from './agent/session.ts';
import { EventLog } from './event-log.ts';
import { FEATURE_LIST_FILE, featureTransitions, forbiddenFeatureEdit, parseFeatureList } from './feature-list.ts';
import { SandboxLostError, type SandboxProvider } from './sandbox/provider.ts';
import type { ArtifactStorage } from './storage/storage.ts';

export interface ActivityDeps {
  db: Db;
  sandboxes: SandboxProvider;
  storage: ArtifactStorage;
  anthropic: { apiKey?: string; baseURL?: string };
  agent: { maxTurns: number; maxTokens: number; commandTimeoutMs: number; featureTarget: number; appPort: number };
  /** Values that must never appear in events, logs or artifacts. */
  secrets: string[];
  /** Folders left out of artifacts. */
  artifactExclude: string[];
}

export const SPEC_FILE = 'app_spec.txt';
export const artifactKey = (buildId: string) => `builds/${buildId}/workspace.tar.gz`;

export function createActivities(deps: ActivityDeps) {
  const { db, sandboxes, storage } = deps;
  const eventLog = (buildId: string, iteration: number, keyPrefix: string) => new EventLog(db, buildId, iteration, keyPrefix, deps.secrets);

  return {
    /** Creates the build's sandbox (or finds it again after a retry) and puts the spec in it. */
    async createSandbox(input: { buildId: string }): Promise<{ sandboxId: string }> {
      const build = await findBuild(db, input.buildId);
      if (!build) throw ApplicationFailure.nonRetryable(`Build ${input.buildId} does not exist`, 'InvalidSpec');
      const { id: sandboxId } = await sandboxes.create({ buildId: input.buildId });
      if ((await sandboxes.readFile(sandboxId, SPEC_FILE)) === null) {
        await sandboxes.writeFile(sandboxId, SPEC_FILE, build.spec_content);
      }
      const git = await sandboxes.exec(sandboxId, 'test -d .git || git init -q -b main', { timeoutMs: 60_000 });
      if (git.exitCode !== 0) throw new Error(`git init failed in the sandbox: ${git.stderr.trim()}`);
      await updateBuildProgress(db, input.buildId, { sandboxId });
      const events = eventLog(input.buildId, 0, `sandbox.${sandboxId}`);
      events.add('sandbox_created', { sandboxId, provider: sandboxes.name });
      await events.flush();
      return { sandboxId };
    },

    /** One agent session with a fresh context. Heartbeats every turn; cancellation stops it between turns or mid-command. */
    async runAgentIteration(input: AgentIterationInput): Promise<AgentIterationResult> {
      const ctx = Context.current();
      if (!deps.anthropic.apiKey) {
        throw ApplicationFailure.create({ type: 'MissingApiKey', nonRetryable: true, message: 'ANTHROPIC_API_KEY is not set on the worker. Set it and resume the build.' });
      }
      const events = eventLog(input.buildId, input.iteration, `s${input.iteration}.a${ctx.info.attempt}`);
      const snapshot = await latestFeatureSnapshot(db, input.buildId);
      const prompt =
        input.kind === 'initializer'
          ? renderPrompt('initializer', { featureTarget: deps.agent.featureTarget, appPort: deps.agent.appPort })
          : renderPrompt('coding', { iteration: input.iteration, passing: snapshot?.passing ?? 0, total: snapshot?.total ?? 0 });
      events.add('session_started', { kind: input.kind, model: input.model, attempt: ctx.info.attempt });
      await events.flush();
      const client = new Anthropic({ apiKey: deps.anthropic.apiKey, baseURL: deps.anthropic.baseURL, maxRetries: 4 });
      try {
        const result = await runAgentSession({
          client,
          model: input.model,
          system: renderPrompt('system', { workspace: '/workspace' }),
          prompt,
          maxTurns: deps.agent.maxTurns,
          maxTokens: deps.agent.maxTokens,
          tools: { sandbox: sandboxes, sandboxId: input.sandboxId, signal: ctx.cancellationSignal, commandTimeoutMs: deps.agent.commandTimeoutMs },
          events,
          heartbeat: (details) => ctx.heartbeat(details),
          signal: ctx.cancellationSignal,
        });
        events.add('session_finished', { kind: input.kind, turns: result.turns, stopReason: result.stopReason, usage: result.usage });
        await events.flush();
        return result;
      } catch (err) {
        const failure = classifyAgentError(err, ctx.cancellationSignal.aborted);
        events.add(ctx.cancellationSignal.aborted ? 'session_cancelled' : 'error', { kind: input.kind, message: failure.message, type: failure instanceof ApplicationFailure ? failure.type : failure.name });
        await events.flush().catch(() => undefined);
        if (ctx.cancellationSignal.aborted) await ctx.cancelled;
        throw failure;
      }
    },

    /** Reads feature_list.json after a session, refuses forbidden edits, stores the snapshot and its transitions. */
    async snapshotFeatureList(input: { buildId: string; sandboxId: string; iteration: number }): Promise<FeatureProgress> {
      const previous = await latestFeatureSnapshot(db, input.buildId, input.iteration);
      const before = previous?.features ?? [];
      const events = eventLog(input.buildId, input.iteration, `snapshot.${input.iteration}`);
      const text = await sandboxes.readFile(input.sandboxId, FEATURE_LIST_FILE);
      let features = before;
      if (text !== null) {
        const parsed = parseFeatureList(text);
        const problem = parsed.ok ? forbiddenFeatureEdit(before, parsed.features) : parsed.reason;
        if (problem) {
          events.add('feature_list_rejected', { reason: problem });
          // Put back the last accepted list so the next session starts from the truth.
          if (previous) await sandboxes.writeFile(input.sandboxId, FEATURE_LIST_FILE, `${JSON.stringify(before, null, 2)}\n`);
        } else if (parsed.ok) {
          features = parsed.features;
        }
      }
      for (const t of featureTransitions(before, features)) {
        events.add(t.passes ? 'feature_passed' : 'feature_regressed', { index: t.index, description: t.description });
      }
      await saveFeatureSnapshot(db, input.buildId, input.iteration, features);
      await events.flush();
      return { total: features.length, passing: features.filter((f) => f.passes).length };
    },

    async recordSession(input: { buildId: string; iteration: number; kind: string; result: AgentIterationResult; features: FeatureProgress }): Promise<void> {
      const { usage, turns, stopReason } = input.result;
      await recordSession(db, input.buildId, {
        iteration: input.iteration,
        kind: input.kind,
        ...usage,
        turns,
        stopReason,
        featuresPassing: input.features.passing,
        featuresTotal: input.features.total,
      });
    },

    /** Writes the workflow's view of the build to the database, so the dashboard works while workers are down. */
    async recordProgress(update: ProgressUpdate): Promise<void> {
      const { buildId, features, ...rest } = update;
      await updateBuildProgress(db, buildId, { ...rest, featuresTotal: features?.total, featuresPassing: features?.passing });
    },

    /** Streams the workspace into storage as tar.gz and records its size and checksum. */
    async saveArtifact(input: { buildId: string; sandboxId: string }): Promise<{ sizeBytes: number }> {
      const ctx = Context.current();
      const timer = setInterval(() => ctx.heartbeat(), 5_000);
      try {
        const archive = await sandboxes.archive(input.sandboxId, { exclude: deps.artifactExclude });
        const stored = await storage.put(artifactKey(input.buildId), archive);
        await upsertArtifact(db, input.buildId, { storageKey: stored.key, format: 'tar.gz', sizeBytes: stored.sizeBytes, sha256: stored.sha256 });
        const events = eventLog(input.buildId, 0, `artifact.${stored.sha256}`);
        events.add('artifact_saved', { sizeBytes: stored.sizeBytes, sha256: stored.sha256 });
        await events.flush();
        return { sizeBytes: stored.sizeBytes };
      } finally {
        clearInterval(timer);
      }
    },

    async destroySandbox(input: { buildId: string; sandboxId: string }): Promise<void> {
      await sandboxes.destroy(input.sandboxId);
      await updateBuildProgress(db, input.buildId, { sandboxId: null });
    },
  };
}

export type BuildActivities = ReturnType<typeof createActivities>;

/** Maps an agent failure to a Temporal failure whose type tells the workflow whether retrying can help. */
function classifyAgentError(err: unknown, cancelled: boolean): ApplicationFailure | Error {
  if (cancelled) return err instanceof Error ? err : new Error(String(err));
  if (err instanceof Anthropic.AuthenticationError || err instanceof Anthropic.PermissionDeniedError) {
    return ApplicationFailure.create({ type: 'InvalidApiKey', nonRetryable: true, message: `The model API refused the key (invalid API key): ${err.message}` });
  }
  if (err instanceof SandboxLostError) return ApplicationFailure.create({ type: 'SandboxLost', message: err.message });
  if (err instanceof Anthropic.APIError) {
    return ApplicationFailure.create({ type: `ModelApiError${err.status ?? ''}`, message: err.message });
  }
  return err instanceof Error ? err : new Error(String(err));
}
