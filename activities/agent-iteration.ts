import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { latestFeatureSnapshot } from '../db/feature-snapshots.ts';
import type { AgentIterationInput, AgentIterationResult } from '../workflows/types.ts';
import { renderPrompt } from './agent/prompts.ts';
import { runAgentSession } from './agent/session.ts';
import { eventLogFor, heartbeatEvery, type ActivityDeps } from './deps.ts';
import { SandboxLostError } from './sandbox/provider.ts';

export function agentActivities(deps: ActivityDeps) {
  return {
    /**
     * One agent session with a fresh context. It heartbeats all along, so a dead worker's
     * session is retried within seconds and a pause or cancel reaches it; asked to stop, it
     * ends at the next safe point and returns what it did as an `interrupted` session.
     */
    async runAgentIteration(input: AgentIterationInput): Promise<AgentIterationResult> {
      const ctx = Context.current();
      if (!deps.anthropic.apiKey) {
        throw ApplicationFailure.create({ type: 'MissingApiKey', nonRetryable: true, message: 'ANTHROPIC_API_KEY is not set on the worker. Set it and resume the build.' });
      }
      const events = eventLogFor(deps, input.buildId, input.iteration, `s${input.iteration}.a${ctx.info.attempt}`);
      const snapshot = await latestFeatureSnapshot(deps.db, input.buildId);
      const prompt =
        input.kind === 'initializer'
          ? renderPrompt('initializer', { featureTarget: deps.agent.featureTarget, appPort: deps.agent.appPort })
          : renderPrompt('coding', { iteration: input.iteration, passing: snapshot?.passing ?? 0, total: snapshot?.total ?? 0 });
      events.add('session_started', { kind: input.kind, model: input.model, attempt: ctx.info.attempt });
      await events.flush();
      const client = new Anthropic({ apiKey: deps.anthropic.apiKey, baseURL: deps.anthropic.baseURL, maxRetries: 4 });
      const stopBeating = heartbeatEvery(1_000, () => ctx.heartbeat());
      try {
        const result = await runAgentSession({
          client,
          models: deps.agent.models,
          model: input.model,
          system: renderPrompt('system', { workspace: '/workspace' }),
          prompt,
          maxTurns: deps.agent.maxTurns,
          maxTokens: deps.agent.maxTokens,
          maxDurationMs: deps.agent.maxSessionMinutes * 60_000,
          contextWrapUpRatio: deps.agent.contextWrapUpRatio,
          tools: { sandbox: deps.sandboxes, sandboxId: input.sandboxId, signal: ctx.cancellationSignal, commandTimeoutMs: deps.agent.commandTimeoutMs, policy: deps.agent.commandPolicy },
          events,
          heartbeat: (details) => ctx.heartbeat(details),
          signal: ctx.cancellationSignal,
        });
        // Only a stop the workflow asked for ends as a result; a timeout or a worker shutdown is retried.
        if (result.stopReason === 'interrupted' && !ctx.cancellationDetails?.cancelRequested) await ctx.cancelled;
        events.add(result.stopReason === 'interrupted' ? 'session_interrupted' : 'session_finished', { kind: input.kind, turns: result.turns, stopReason: result.stopReason, usage: result.usage });
        await events.flush();
        return result;
      } catch (err) {
        const failure = classifyAgentError(err);
        events.add('error', { kind: input.kind, message: failure.message, type: failure instanceof ApplicationFailure ? failure.type : failure.name });
        await events.flush().catch(() => undefined);
        throw failure;
      } finally {
        stopBeating();
      }
    },
  };
}

/** Maps an agent failure to a Temporal failure whose type tells the workflow whether retrying can help. */
function classifyAgentError(err: unknown): Error {
  if (err instanceof Anthropic.AuthenticationError || err instanceof Anthropic.PermissionDeniedError) {
    return ApplicationFailure.create({ type: 'InvalidApiKey', nonRetryable: true, message: `The model API refused the key (invalid API key): ${err.message}` });
  }
  if (err instanceof SandboxLostError) return ApplicationFailure.create({ type: 'SandboxLost', nonRetryable: true, message: err.message });
  if (err instanceof Anthropic.APIError) {
    // The SDK already retried 429/529/5xx with backoff honouring retry-after; Temporal retries the session after that.
    return ApplicationFailure.create({ type: `ModelApiError${err.status ?? ''}`, message: err.message });
  }
  return err instanceof Error ? err : new Error(String(err));
}
