import {
  AuthenticationError,
  CommandExitError,
  NotFoundError,
  RateLimitError,
  Sandbox,
  SandboxError as E2BSandboxError,
  SandboxNotFoundError,
  type CommandResult,
  type CommandStartOpts,
  type EntryInfo,
  type SandboxApiOpts,
  type SandboxConnectOpts,
  type SandboxInfo as E2BSandboxInfo,
  type SandboxListOpts,
  type SandboxOpts,
} from '@e2b/code-interpreter';

export { CommandExitError, NotFoundError, SandboxNotFoundError };
export type { CommandResult, EntryInfo };

/**
 * The part of the E2B SDK (v2) the provider uses, as plain interfaces: the SDK's own classes
 * have private members, which would make them impossible to stand in for in tests.
 */
export interface E2BCommandHandle {
  readonly pid: number;
  /** Resolves on exit 0; a non-zero exit rejects with CommandExitError, which carries the result. */
  wait(): Promise<CommandResult>;
  kill(): Promise<boolean>;
}

export interface E2BSandbox {
  readonly sandboxId: string;
  commands: {
    run(cmd: string, opts: CommandStartOpts & { background: true }): Promise<E2BCommandHandle>;
  };
  files: {
    read(path: string, opts: { format: 'stream'; streamIdleTimeoutMs?: number }): Promise<ReadableStream<Uint8Array>>;
    read(path: string, opts?: { format?: 'text' }): Promise<string>;
    write(path: string, data: string | ArrayBuffer | ReadableStream): Promise<unknown>;
    list(path: string, opts?: { depth?: number }): Promise<EntryInfo[]>;
  };
  getHost(port: number): string;
}

export type E2BSandboxSummary = Pick<E2BSandboxInfo, 'sandboxId' | 'metadata' | 'state'>;

export interface E2BApi {
  create(template: string | undefined, opts: SandboxOpts): Promise<E2BSandbox>;
  /** Resumes a paused sandbox; for a running one, only ever lengthens its timeout. */
  connect(sandboxId: string, opts: SandboxConnectOpts): Promise<E2BSandbox>;
  getInfo(sandboxId: string, opts: SandboxApiOpts): Promise<E2BSandboxSummary>;
  list(opts: SandboxListOpts): Promise<E2BSandboxSummary[]>;
  kill(sandboxId: string, opts: SandboxApiOpts): Promise<boolean>;
  pause(sandboxId: string, opts: SandboxApiOpts): Promise<boolean>;
  setTimeout(sandboxId: string, timeoutMs: number, opts: SandboxApiOpts): Promise<void>;
}

/** The real SDK. `Sandbox` from @e2b/code-interpreter: its default template has Python and Node. */
export const e2bSdk: E2BApi = {
  create: (template, opts) => (template ? Sandbox.create(template, opts) : Sandbox.create(opts)),
  connect: (sandboxId, opts) => Sandbox.connect(sandboxId, opts),
  getInfo: (sandboxId, opts) => Sandbox.getInfo(sandboxId, opts),
  async list(opts) {
    const paginator = Sandbox.list(opts);
    const all: E2BSandboxSummary[] = [];
    while (paginator.hasNext) all.push(...(await paginator.nextItems()));
    return all;
  },
  kill: (sandboxId, opts) => Sandbox.kill(sandboxId, opts),
  pause: (sandboxId, opts) => Sandbox.pause(sandboxId, opts),
  setTimeout: (sandboxId, timeoutMs, opts) => Sandbox.setTimeout(sandboxId, timeoutMs, opts),
};

/** How an SDK failure should be treated. */
export function classifyE2BError(err: unknown): 'gone' | 'file-missing' | 'auth' | 'transient' | 'other' {
  if (err instanceof SandboxNotFoundError) return 'gone';
  // The deprecated parent class is still what some envd 404s are raised as: a missing file.
  if (err instanceof NotFoundError) return 'file-missing';
  if (err instanceof AuthenticationError) return 'auth';
  if (err instanceof RateLimitError || err instanceof E2BSandboxError) return 'transient';
  return 'other';
}
