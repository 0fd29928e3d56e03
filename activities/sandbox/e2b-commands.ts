import { randomUUID } from 'node:crypto';
import { classifyE2BError, CommandExitError, type E2BSandbox } from './e2b-sdk.ts';
import { CommandFailedError, CommandTimeoutError } from './errors.ts';
import { OutputCollector } from './output.ts';
import type { ExecOptions, ExecResult } from './provider.ts';
import { sandboxPath } from './workspace-path.ts';
import { armKillSwitch } from './kill-switch.ts';

/** The template's unprivileged user; agent commands run as it, housekeeping as root. */
export const SANDBOX_USER = 'user';
export const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'Autonomous Agent', GIT_AUTHOR_EMAIL: 'agent@localhost', GIT_COMMITTER_NAME: 'Autonomous Agent', GIT_COMMITTER_EMAIL: 'agent@localhost' };
/** Set on every agent command, so a timeout can find and kill everything the command started. */
const EXEC_MARKER = 'AAP_EXEC_ID';
const HOUSEKEEPING_TIMEOUT_MS = 10 * 60_000;
/** What a command killed by SIGKILL reports, as from a shell (and as the local provider reports). */
const KILLED_EXIT_CODE = 137;

/**
 * One agent command in an E2B sandbox. A non-zero exit is a result; so are a timeout and an
 * abort, which kill the command and everything it started (background and setsid'd processes
 * included), found by a marker in their environment.
 */
export async function runAgentCommand(sbx: E2BSandbox, command: string, opts: ExecOptions & { timeoutMs: number; maxOutputBytes: number }): Promise<ExecResult> {
  const output = new OutputCollector(opts.maxOutputBytes, opts.onOutput);
  const execId = randomUUID();
  const handle = await sbx.commands.run(command, {
    background: true,
    user: SANDBOX_USER,
    cwd: sandboxPath(opts.cwd ?? '.'),
    envs: { ...GIT_IDENTITY, [EXEC_MARKER]: execId },
    // Our own timer kills the command; the SDK's is the backstop should that kill never arrive.
    timeoutMs: opts.timeoutMs + 30_000,
    onStdout: (data) => output.add('stdout', data),
    onStderr: (data) => output.add('stderr', data),
  });
  const killTree = () => void killMarked(sbx, execId).finally(() => handle.kill().catch(() => false));
  const stop = armKillSwitch(opts.timeoutMs, opts.signal, killTree);
  const result = (exitCode: number): ExecResult => ({
    exitCode: stop.timedOut || stop.aborted ? KILLED_EXIT_CODE : exitCode,
    stdout: output.text('stdout'),
    stderr: output.text('stderr'),
    timedOut: stop.timedOut,
    aborted: stop.aborted,
    outputBytes: output.totalBytes,
    truncated: output.truncated,
  });
  try {
    return result((await handle.wait()).exitCode);
  } catch (err) {
    // A non-zero exit is the command's answer, not a failure of the sandbox.
    if (err instanceof CommandExitError) return result(err.exitCode);
    // The stream may end with an error because we killed the command: that is the timeout's result.
    if ((stop.timedOut || stop.aborted) && classifyE2BError(err) !== 'gone') return result(KILLED_EXIT_CODE);
    throw err;
  } finally {
    stop.dispose();
  }
}

/** A command the provider itself needs (as root, so the agent's file modes cannot get in its way); failing is an error. */
export async function runHousekeeping(sbx: E2BSandbox, command: string, what: string): Promise<void> {
  const handle = await sbx.commands.run(command, { background: true, user: 'root', timeoutMs: HOUSEKEEPING_TIMEOUT_MS });
  try {
    await handle.wait();
  } catch (err) {
    if (err instanceof CommandExitError) throw new CommandFailedError(`Could not ${what} in E2B sandbox ${sbx.sandboxId} (exit ${err.exitCode}): ${err.stderr.trim().slice(-500)}`);
    if (classifyE2BError(err) === 'transient' && /deadline|timeout/i.test((err as Error).message)) {
      throw new CommandTimeoutError(`Could not ${what} in E2B sandbox ${sbx.sandboxId} within ${HOUSEKEEPING_TIMEOUT_MS / 60_000} minutes`, { cause: err });
    }
    throw err;
  }
}

/** Kills every process carrying this command's marker in its environment. */
async function killMarked(sbx: E2BSandbox, execId: string): Promise<void> {
  const once = `for d in /proc/[0-9]*; do if tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qxF '${EXEC_MARKER}=${execId}'; then kill -9 "\${d#/proc/}" 2>/dev/null; fi; done`;
  // Three passes catch processes forked while the previous pass ran.
  await runHousekeeping(sbx, `${once}; ${once}; ${once}; true`, 'stop a command').catch(() => undefined);
}
