/**
 * What can go wrong with a sandbox, as typed errors with a stable `code`, so activities can
 * tell "recreate it from a checkpoint" from "retry later" from "fix your configuration"
 * without knowing which provider is behind the interface.
 */
export type SandboxErrorCode = 'SandboxLost' | 'CommandTimeout' | 'CommandFailed' | 'SandboxPath' | 'SandboxUnavailable' | 'SandboxUnisolated';

export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The sandbox no longer exists (expired, deleted, reaped): recreate it from a checkpoint. Not worth retrying. */
export class SandboxLostError extends SandboxError {
  override name = 'SandboxLost';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SandboxLost', message, options);
  }
}

/** A command the provider ran for its own work (tar, mkdir) did not finish in time. */
export class CommandTimeoutError extends SandboxError {
  override name = 'CommandTimeout';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CommandTimeout', message, options);
  }
}

/** A command the provider ran for its own work (tar, mkdir) failed; agent commands never throw this. */
export class CommandFailedError extends SandboxError {
  override name = 'CommandFailed';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CommandFailed', message, options);
  }
}

/** A path that would leave the workspace, directly or through a symlink. */
export class SandboxPathError extends SandboxError {
  // The agent's editor tool matches on this name to show the message to the model.
  override name = 'SandboxPathError';
  constructor(message: string) {
    super('SandboxPath', message);
  }
}

/** The provider cannot be reached or refused the request (network, rate limit, auth): usually worth retrying. */
export class SandboxUnavailableError extends SandboxError {
  override name = 'SandboxUnavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SandboxUnavailable', message, options);
  }
}

/** Local sandboxes cannot be isolated on this machine and running unisolated was not allowed. */
export class SandboxUnisolatedError extends SandboxError {
  override name = 'SandboxUnisolated';
  constructor(message: string) {
    super('SandboxUnisolated', message);
  }
}
