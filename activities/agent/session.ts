import type Anthropic from '@anthropic-ai/sdk';
import type { AgentIterationResult } from '../../workflows/types.ts';
import { truncateText, type EventLog } from '../event-log.ts';
import { addUsage, emptyUsage } from './pricing.ts';
import { AGENT_TOOLS, runTool, type ToolContext } from './tools.ts';

export interface AgentSessionOptions {
  client: Anthropic;
  model: string;
  system: string;
  prompt: string;
  maxTurns: number;
  maxTokens: number;
  tools: ToolContext;
  events: EventLog;
  /** Called every turn and while commands produce output: the activity's heartbeat. */
  heartbeat: (details: { turn: number }) => void;
  signal: AbortSignal;
}

/**
 * One agent session with a fresh context: stream a turn, run the tools the model asked
 * for in the sandbox, send the results back, until the model stops or a cap is reached.
 */
export async function runAgentSession(o: AgentSessionOptions): Promise<AgentIterationResult> {
  const usage = emptyUsage();
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: o.prompt }];
  // The system prompt and tool list never change within a session: cache them as the stable prefix.
  const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: o.system, cache_control: { type: 'ephemeral' } }];
  const tools = AGENT_TOOLS.map((t, i) => (i === AGENT_TOOLS.length - 1 ? { ...t, cache_control: { type: 'ephemeral' as const } } : t));
  let stopReason = 'max_turns';
  let turn = 0;

  try {
    while (turn < o.maxTurns) {
      if (o.signal.aborted) return { usage, turns: turn, stopReason: 'interrupted' };
      turn += 1;
      o.heartbeat({ turn });
      const stream = o.client.messages.stream({ model: o.model, max_tokens: o.maxTokens, system, tools, messages }, { signal: o.signal });
      const message = await stream.finalMessage();
      addUsage(usage, o.model, message.usage);
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
          if (outcome.details.changed) o.events.add('file_changed', { turn, path: outcome.details.path });
          toolResults.push({ type: 'tool_result', tool_use_id: block.id, content: outcome.content, is_error: outcome.isError });
        }
      }
      await o.events.flush();
      stopReason = message.stop_reason ?? 'end_turn';
      if (toolResults.length === 0) break;
      messages.push({ role: 'user', content: toolResults });
    }
  } catch (err) {
    // Cancelled between or inside a turn (pause, cancel): what was spent still counts.
    if (o.signal.aborted) return { usage, turns: turn, stopReason: 'interrupted' };
    throw err;
  }
  return { usage, turns: turn, stopReason };
}

function textField(text: string, name = 'text'): Record<string, unknown> {
  const t = truncateText(text);
  return { [name]: t.text, [`${name}Bytes`]: t.size, ...(t.truncated && { truncated: true }) };
}
