import { formatBytes, formatCost, formatNumber } from '../format.ts';
import type { BuildEvent } from '../types.ts';

/** The event log's filters; "all" shows everything, the others one kind of event. */
export const EVENT_FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'tools', label: 'Tool calls' },
  { value: 'messages', label: 'Messages' },
  { value: 'errors', label: 'Errors' },
  { value: 'progress', label: 'Progress' },
] as const;
export type EventFilter = (typeof EVENT_FILTERS)[number]['value'];

export type EventTone = 'default' | 'error' | 'success' | 'warning' | 'muted';

export interface EventDescription {
  /** A one-line summary, e.g. "bash: npm test". */
  title: string;
  /** Monospaced text worth expanding: a command, tool output, a message. */
  detail?: string;
  tone: EventTone;
}

const ERROR_TYPES = new Set(['error', 'failed', 'command_blocked', 'sandbox_lost', 'feature_regressed', 'feature_list_rejected']);
const TOOL_TYPES = new Set(['tool_call', 'tool_result', 'file_changed', 'command_blocked']);
const PROGRESS_TYPES = new Set([
  'session_started',
  'session_finished',
  'session_interrupted',
  'feature_passed',
  'feature_regressed',
  'paused',
  'resumed',
  'completed',
  'failed',
  'cancelled',
  'sandbox_created',
  'sandbox_lost',
  'sandbox_restored',
  'artifact_saved',
  'continued_as_new',
  'wrap_up_requested',
  'context_limit',
]);

export function isErrorEvent(event: BuildEvent): boolean {
  return ERROR_TYPES.has(event.type) || (event.type === 'tool_result' && event.data.isError === true);
}

export function matchesFilter(event: BuildEvent, filter: EventFilter): boolean {
  switch (filter) {
    case 'all':
      // Token counts per turn add up in the usage figures; one row per turn would drown the log.
      return event.type !== 'usage';
    case 'tools':
      return TOOL_TYPES.has(event.type);
    case 'messages':
      return event.type === 'agent_message';
    case 'errors':
      return isErrorEvent(event);
    case 'progress':
      return PROGRESS_TYPES.has(event.type);
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const firstLine = (text: string, max = 160) => {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line + (text.includes('\n') ? ' …' : '');
};

/** What a tool call does, in one line: the bash command, or the editor's verb and path. */
export function describeToolInput(tool: string, input: unknown): { summary: string; detail?: string } {
  const fields = (input ?? {}) as Record<string, unknown>;
  const command = str(fields.command);
  if (tool === 'bash') {
    if (fields.restart === true) return { summary: 'restart the shell' };
    return command ? { summary: firstLine(command), detail: command } : { summary: 'bash' };
  }
  const path = str(fields.path);
  if (command && path) return { summary: `${command} ${path}`, detail: str(fields.file_text) ?? str(fields.new_str) };
  return { summary: JSON.stringify(input ?? {}).slice(0, 160) };
}

function reasonText(reason: unknown): string | undefined {
  if (reason && typeof reason === 'object' && 'message' in reason) return str((reason as { message: unknown }).message);
  return str(reason);
}

/** How each event type reads in the log. Unknown types still show, by name. */
export function describeEvent(event: BuildEvent): EventDescription {
  const d = event.data;
  switch (event.type) {
    case 'tool_call': {
      const tool = str(d.tool) ?? 'tool';
      const { summary, detail } = describeToolInput(tool, d.input);
      return { title: `${tool}: ${summary}`, detail: detail && detail !== summary ? detail : undefined, tone: 'default' };
    }
    case 'tool_result': {
      const tool = str(d.tool) ?? 'tool';
      const exit = num(d.exitCode);
      const bytes = num(d.outputBytes);
      const parts = [d.isError === true ? `${tool} failed` : `${tool} finished`];
      if (exit !== undefined) parts.push(`exit ${exit}`);
      if (d.timedOut === true) parts.push('timed out');
      if (bytes !== undefined) parts.push(formatBytes(bytes));
      return { title: parts.join(' · '), detail: str(d.output) || undefined, tone: d.isError === true ? 'error' : 'muted' };
    }
    case 'agent_message':
      return { title: firstLine(str(d.text) ?? ''), detail: str(d.text), tone: 'default' };
    case 'file_changed':
      return { title: `${fileStatus(str(d.status))} ${str(d.path) ?? ''}`, tone: 'muted' };
    case 'usage':
      return {
        title: `Turn ${num(d.turn) ?? '?'}: ${formatNumber(num(d.input_tokens) ?? 0)} tokens in, ${formatNumber(num(d.output_tokens) ?? 0)} out`,
        tone: 'muted',
      };
    case 'session_started':
      return { title: `Session started (${str(d.kind) ?? 'coding'}${num(d.attempt) && num(d.attempt)! > 1 ? `, attempt ${num(d.attempt)}` : ''})`, tone: 'default' };
    case 'session_finished': {
      const usage = d.usage as { costUsd?: number } | undefined;
      const cost = num(usage?.costUsd);
      return { title: `Session finished after ${num(d.turns) ?? '?'} turns (${str(d.stopReason) ?? 'done'})${cost !== undefined ? ` · ${formatCost(cost)}` : ''}`, tone: 'default' };
    }
    case 'session_interrupted':
      return { title: 'Session interrupted at a safe point', tone: 'warning' };
    case 'feature_passed':
      return { title: `Feature passes: ${str(d.description) ?? `#${num(d.index) ?? '?'}`}`, tone: 'success' };
    case 'feature_regressed':
      return { title: `Feature stopped passing: ${str(d.description) ?? `#${num(d.index) ?? '?'}`}`, tone: 'error' };
    case 'paused':
      return { title: `Paused${reasonText(d.reason) ? `: ${reasonText(d.reason)}` : ' on request'}`, tone: 'warning' };
    case 'resumed':
      return { title: 'Resumed', tone: 'default' };
    case 'completed':
      return { title: 'Build completed: every feature passes', tone: 'success' };
    case 'cancelled':
      return { title: 'Build cancelled', tone: 'warning' };
    case 'failed':
      return { title: `Build failed${reasonText(d.error) ? `: ${reasonText(d.error)}` : ''}`, tone: 'error' };
    case 'error':
      return { title: str(d.message) ?? 'Error', detail: str(d.stack), tone: 'error' };
    case 'command_blocked':
      return { title: `Command blocked: ${str(d.reason) ?? ''}`, detail: str(d.command), tone: 'error' };
    case 'sandbox_created':
      return { title: 'Sandbox created', tone: 'muted' };
    case 'sandbox_lost':
      return { title: `Sandbox lost${str(d.message) ? `: ${str(d.message)}` : ''}; restoring from the last checkpoint`, tone: 'error' };
    case 'sandbox_restored':
      return { title: 'Sandbox restored from the last checkpoint', tone: 'success' };
    case 'artifact_saved':
      return { title: `Workspace archive saved${num(d.sizeBytes) !== undefined ? ` (${formatBytes(num(d.sizeBytes)!)})` : ''}`, tone: 'success' };
    default:
      return { title: event.type.replace(/_/g, ' '), detail: Object.keys(d).length > 0 ? JSON.stringify(d, null, 2) : undefined, tone: 'muted' };
  }
}

function fileStatus(status: string | undefined): string {
  switch (status) {
    case 'A':
    case 'added':
      return 'Added';
    case 'D':
    case 'deleted':
      return 'Deleted';
    case 'M':
    case 'modified':
      return 'Modified';
    case 'R':
    case 'renamed':
      return 'Renamed';
    default:
      return 'Changed';
  }
}
