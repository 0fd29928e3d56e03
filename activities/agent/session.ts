import Anthropic from '@anthropic-ai/sdk';
import type { AgentIterationResult } from '../../workflows/types.ts';
import { truncateText, type EventLog } from '../event-log.ts';
import { contextTokens, emptyUsage, type ModelCatalog } from './models.ts';
import { AGENT_TOOLS, runTool, type ToolContext } from './tools.ts';
import { WorkspaceChanges } from './workspace-changes.ts';

export interface AgentSessionOptions {
  client: Anthropic;
  models: ModelCatalog;
  model: string;
  system: string;
  prompt: string;
  maxTurns: number;
  maxTokens: number;
  /** Wall-clock cap: past it the agent is asked to wrap up. */
  maxDurationMs: number;
  /** Share of the context window after which the agent is asked to wrap up (0..1). */
  contextWrapUpRatio: number;
  tools: ToolContext;
  events: EventLog;
  /** Called every turn and while commands produce output: the activity's heartbeat. */
  heartbeat: (details: { turn: number }) => void;
  signal: AbortSignal;
  now?: () => number;
}

/** Turns the agent gets to commit and write notes after being asked to wrap up. */
const WRAP_UP_TURNS = 3;

/**
 * One agent session with a fresh context: stream a turn, run the tools the model asked for in
 * the sandbox, send the results back, until the model stops, a cap is reached, or it is
 * interrupted. Near the context window or the time cap the agent is told to commit and leave
 * notes, so the session ends cleanly and the next one continues from the workspace.
 */
export async function runAgentSession(o: AgentSessionOptions): Promise<AgentIterationResult> {
  const now = o.now ?? Date.now;
  const started = now();
  const usage = emptyUsage();
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: o.prompt }];
  // The system prompt and tool list never change within a session: the stable prefix, cached.
  const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: o.system, cache_control: { type: 'ephemeral' } }];
  const tools = AGENT_TOOLS.map((t, i) => (i === AGENT_TOOLS.length - 1 ? { ...t, cache_control: { type: 'ephemeral' as const } } : t));
  const { info } = o.models.lookup(o.model);
  const changes = new WorkspaceChanges(o.tools);
  let stopReason = 'max_turns';
  let turn = 0;
  let wrapUp: { reason: string; turnsLeft: number } | null = null;

  try {
    await changes.start();
    while (turn < o.maxTurns) {
      if (o.signal.aborted) return { usage, turns: turn, stopReason: 'interrupted' };
      turn += 1;
      o.heartbeat({ turn });
      let message: Anthropic.Message;
      try {
        const stream = o.client.messages.stream({ model: o.model, max_tokens: o.maxTokens, system, tools, messages: withCacheBreakpoint(messages) }, { signal: o.signal });
        message = await stream.finalMessage();
      } catch (err) {
        if (!isRequestTooLarge(err)) throw err;
        // The conversation no longer fits: end here; the next session starts small from the files.
        o.events.add('context_limit', { turn, message: (err as Error).message });
        stopReason = 'context_limit';
        break;
      }
      o.models.addUsage(usage, o.model, message.usage);
      o.events.add('usage', { turn, ...message.usage, model: o.model });
      messages.push({ role: 'assistant', content: message.content });

      const toolResults: Anthropic.ToolResultBlockParam[] = [];
      for (const block of message.content) {
        if (block.type === 'text' && block.text.trim()) {
          o.events.add('agent_message', { turn, ...textField(block.text) });
        } else if (block.type === 'tool_use') {
          o.events.add('tool_call', { turn, toolUseId: block.id, tool: block.name, input: block.input });
          await o.events.flush();
          const outcome = await runTool(block.name, block.input, { ...o.tools, onOutput: () => o.heartbeat({ turn }) });
          o.events.add('tool_result', { turn, toolUseId: block.id, tool: block.name, isError: outcome.isError, ...outcome.details, ...textField(outcome.content, 'output') });
          if (outcome.details.blocked) o.events.add('command_blocked', { turn, command: outcome.details.command, reason: outcome.details.blocked });
          for (const change of await changes.since()) o.events.add('file_changed', { turn, ...change });
          toolResults.push({ type: 'tool_result', tool_use_id: block.id, content: outcome.content, is_error: outcome.isError });
        }
      }
      await o.events.flush();
      stopReason = message.stop_reason ?? 'end_turn';
      if (stopReason === 'model_context_window_exceeded') {
        o.events.add('context_limit', { turn, message: 'The model stopped at its context window.' });
        stopReason = 'context_limit';
        break;
      }
      if (toolResults.length === 0) {
        if (wrapUp) stopReason = wrapUp.reason;
        break;
      }
      if (wrapUp && --wrapUp.turnsLeft < 0) {
        stopReason = wrapUp.reason;
        break;
      }
      const content: Array<Anthropic.ToolResultBlockParam | Anthropic.TextBlockParam> = [...toolResults];
      if (!wrapUp) {
        const reason =
          contextTokens(message.usage) >= o.contextWrapUpRatio * info.contextWindow ? 'context_limit' : now() - started >= o.maxDurationMs ? 'time_limit' : turn >= o.maxTurns - WRAP_UP_TURNS ? 'max_turns' : null;
        if (reason) {
          wrapUp = { reason, turnsLeft: WRAP_UP_TURNS };
          o.events.add('wrap_up_requested', { turn, reason });
          content.push({ type: 'text', text: WRAP_UP_MESSAGE });
        }
      }
      messages.push({ role: 'user', content });
    }
  } catch (err) {
    // Cancelled between or inside a turn (pause, cancel): what was spent still counts.
    if (o.signal.aborted) return { usage, turns: turn, stopReason: 'interrupted' };
    throw err;
  }
  // A session cut short keeps its work: whatever the agent did not commit is committed for it.
  if (['context_limit', 'time_limit', 'max_turns'].includes(stopReason)) await changes.autosave(`Autosave: session ended (${stopReason})`);
  await o.events.flush();
  return { usage, turns: turn, stopReason };
}

const WRAP_UP_MESSAGE =
  'This session is about to end. Stop starting new work now: commit what you have with git, ' +
  'update claude-progress.txt with what is done and what should come next, then end your turn.';

/**
 * Moves the cache breakpoint to the newest message, so each turn reads every earlier turn from
 * the cache and writes only what is new. The stored conversation itself is left untouched.
 */
function withCacheBreakpoint(messages: Anthropic.MessageParam[]): Anthropic.MessageParam[] {
  const last = messages[messages.length - 1]!;
  const blocks: Anthropic.ContentBlockParam[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  const tail = blocks[blocks.length - 1]!;
  blocks[blocks.length - 1] = { ...tail, cache_control: { type: 'ephemeral' } } as Anthropic.ContentBlockParam;
  return [...messages.slice(0, -1), { ...last, content: blocks } as Anthropic.MessageParam];
}

function isRequestTooLarge(err: unknown): boolean {
  if (!(err instanceof Anthropic.APIError)) return false;
  if (err.status === 413) return true;
  return err.status === 400 && /prompt is too long|too many tokens|context (window|length)/i.test(err.message);
}

function textField(text: string, name = 'text'): Record<string, unknown> {
  const t = truncateText(text);
  return { [name]: t.text, [`${name}Bytes`]: t.size, ...(t.truncated && { truncated: true }) };
}
