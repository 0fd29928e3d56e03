/**
 * Per-process resource limits for agent commands, set as hard rlimits by the shell that runs
 * them, so neither the command nor anything it starts can raise them again. 0 means no limit.
 */
export interface ResourceLimits {
  /** CPU seconds per process (RLIMIT_CPU): a runaway loop is killed with SIGXCPU. */
  cpuSeconds: number;
  /**
   * Data memory per process (RLIMIT_DATA): heap and anonymous mappings. Unlike a limit on
   * address space it leaves the large reservations of V8, Go and WebAssembly alone, so
   * node, esbuild and friends still start, yet a process that allocates beyond it fails.
   */
  memoryMb: number;
  /** Largest file a command may write (RLIMIT_FSIZE), so one runaway log cannot fill the disk. */
  maxFileMb: number;
}

const CPU_GRACE_SECONDS = 10;

export const DEFAULT_LIMITS: ResourceLimits = { cpuSeconds: 1800, memoryMb: 4096, maxFileMb: 2048 };

/**
 * argv that runs `command` with bash under `limits`. The limits are set by an outer shell that
 * then execs a fresh `bash -c command`, so the command's own line numbers and $0 are untouched.
 */
export function limitedBash(command: string, limits: ResourceLimits): string[] {
  const value = (n: number, scale: number) => (n > 0 ? String(Math.floor(n * scale)) : 'unlimited');
  // In bash, -d is in KiB and -f in 1 KiB blocks; without -S/-H both soft and hard limits are set.
  const ulimits = [`-t ${value(limits.cpuSeconds && limits.cpuSeconds + CPU_GRACE_SECONDS, 1)}`, `-d ${value(limits.memoryMb, 1024)}`, `-f ${value(limits.maxFileMb, 1024)}`, '-c 0'];
  // The soft CPU limit comes first: SIGXCPU (exit 152, "CPU time limit exceeded") says what
  // happened; the hard one, a little later, is a SIGKILL for a process that ignores it.
  const soft = limits.cpuSeconds > 0 ? ` && ulimit -S -t ${limits.cpuSeconds}` : '';
  const prelude = `{ ulimit ${ulimits.join(' ')}${soft}; } || { echo "sandbox: could not set resource limits" >&2; exit 125; }; exec /bin/bash -c "$0"`;
  return ['/bin/bash', '-c', prelude, command];
}
