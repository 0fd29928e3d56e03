import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { SandboxProvider } from '../sandbox/provider.ts';
import type { CommandPolicy } from './command-policy.ts';

/** Anthropic's own tool schemas: the model is trained on them, so we implement them as specified. */
export const AGENT_TOOLS: Anthropic.ToolUnion[] = [
  { type: 'bash_20250124', name: 'bash' },
  { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
];

/** What the model sees of one command's output; the full size is reported alongside. */
const MODEL_OUTPUT_LIMIT = 30_000;

export interface ToolOutcome {
  content: string;
  isError: boolean;
  /** Facts for the event log (exit code, sizes, changed file). */
  details: Record<string, unknown>;
}

export interface ToolContext {
  sandbox: SandboxProvider;
  sandboxId: string;
  signal: AbortSignal;
  commandTimeoutMs: number;
  policy: CommandPolicy;
  onOutput?: () => void;
}

const bashInput = z.object({ command: z.string().optional(), restart: z.boolean().optional() });
const editorInput = z.discriminatedUnion('command', [
  z.object({ command: z.literal('view'), path: z.string(), view_range: z.array(z.number().int()).length(2).optional() }),
  z.object({ command: z.literal('create'), path: z.string(), file_text: z.string() }),
  z.object({ command: z.literal('str_replace'), path: z.string(), old_str: z.string(), new_str: z.string().default('') }),
  z.object({ command: z.literal('insert'), path: z.string(), insert_line: z.number().int().min(0), insert_text: z.string() }),
]);

export async function runTool(name: string, input: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  if (name === 'bash') return runBash(input, ctx);
  if (name === 'str_replace_based_edit_tool') return runEditor(input, ctx);
  return { content: `Unknown tool: ${name}`, isError: true, details: {} };
}

async function runBash(input: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  const parsed = bashInput.safeParse(input);
  if (!parsed.success) return { content: `Invalid bash input: ${parsed.error.issues[0]?.message}`, isError: true, details: {} };
  // Every command runs in a fresh shell in the workspace, so there is no session to restart.
  if (parsed.data.restart) return { content: 'Shell restarted.', isError: false, details: { restart: true } };
  const command = parsed.data.command;
  if (!command) return { content: 'The bash tool needs a "command".', isError: true, details: {} };
  const blocked = ctx.policy.check(command);
  if (blocked) {
    return {
      content: `This command was not run: the platform does not allow ${blocked}. Use a narrower command that stays inside the workspace.`,
      isError: true,
      details: { blocked, command },
    };
  }
  const result = await ctx.sandbox.exec(ctx.sandboxId, command, { timeoutMs: ctx.commandTimeoutMs, signal: ctx.signal, onOutput: ctx.onOutput });
  let content = [result.stdout, result.stderr].filter(Boolean).join(result.stdout && result.stderr ? '\n' : '');
  if (content.length > MODEL_OUTPUT_LIMIT) {
    content = `${content.slice(0, MODEL_OUTPUT_LIMIT)}\n[output cut at ${MODEL_OUTPUT_LIMIT} characters of ${result.outputBytes} bytes]`;
  }
  if (result.timedOut) content += `\n[command killed after ${Math.round(ctx.commandTimeoutMs / 1000)} s timeout]`;
  if (result.exitCode !== 0) content += `\n[exit code ${result.exitCode}]`;
  return {
    content: content || '(no output)',
    isError: result.exitCode !== 0,
    details: { exitCode: result.exitCode, timedOut: result.timedOut, outputBytes: result.outputBytes },
  };
}

async function runEditor(input: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  const parsed = editorInput.safeParse(input);
  if (!parsed.success) return { content: `Invalid editor input: ${parsed.error.issues[0]?.message}`, isError: true, details: {} };
  const cmd = parsed.data;
  const { sandbox, sandboxId } = ctx;
  const fail = (content: string) => ({ content, isError: true, details: { path: cmd.path } });
  try {
    if (cmd.command === 'view') {
      const text = await sandbox.readFile(sandboxId, cmd.path);
      if (text === null) {
        const listing = await sandbox.exec(sandboxId, `find ${shellQuote(cmd.path)} -maxdepth 2 -not -path '*/.git/*' | head -200`, { signal: ctx.signal });
        return listing.exitCode === 0 && listing.stdout ? { content: listing.stdout, isError: false, details: { path: cmd.path } } : fail(`No such file or directory: ${cmd.path}`);
      }
      const lines = text.split('\n');
      const [from = 1, to = lines.length] = cmd.view_range ?? [];
      const end = to === -1 ? lines.length : to;
      return { content: lines.slice(from - 1, end).map((l, i) => `${String(from + i).padStart(6)}\t${l}`).join('\n'), isError: false, details: { path: cmd.path } };
    }
    if (cmd.command === 'create') {
      await sandbox.writeFile(sandboxId, cmd.path, cmd.file_text);
      return { content: `File created: ${cmd.path}`, isError: false, details: { path: cmd.path } };
    }
    const text = await sandbox.readFile(sandboxId, cmd.path);
    if (text === null) return fail(`No such file: ${cmd.path}`);
    if (cmd.command === 'str_replace') {
      const count = text.split(cmd.old_str).length - 1;
      if (count === 0) return fail(`old_str was not found in ${cmd.path}`);
      if (count > 1) return fail(`old_str occurs ${count} times in ${cmd.path}; include more context so it is unique`);
      await sandbox.writeFile(sandboxId, cmd.path, text.replace(cmd.old_str, () => cmd.new_str));
      return { content: `Edited ${cmd.path}`, isError: false, details: { path: cmd.path } };
    }
    const lines = text.split('\n');
    if (cmd.insert_line > lines.length) return fail(`insert_line ${cmd.insert_line} is past the end of ${cmd.path} (${lines.length} lines)`);
    lines.splice(cmd.insert_line, 0, ...cmd.insert_text.split('\n'));
    await sandbox.writeFile(sandboxId, cmd.path, lines.join('\n'));
    return { content: `Inserted text into ${cmd.path} after line ${cmd.insert_line}`, isError: false, details: { path: cmd.path } };
  } catch (err) {
    if ((err as Error).name === 'SandboxPathError') return fail((err as Error).message);
    throw err;
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
