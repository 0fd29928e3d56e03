import type { ExecOptions } from './provider.ts';

/**
 * Keeps a command's stdout and stderr up to a cap each while counting every byte, so a
 * command that prints gigabytes costs the worker a counter, not its memory.
 */
export class OutputCollector {
  private readonly kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  private readonly keptBytes = { stdout: 0, stderr: 0 };
  totalBytes = 0;
  truncated = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onOutput?: ExecOptions['onOutput'],
  ) {}

  add(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.totalBytes += buf.length;
    const room = this.maxBytes - this.keptBytes[stream];
    if (room > 0) {
      const part = buf.length > room ? buf.subarray(0, room) : buf;
      this.kept[stream].push(part);
      this.keptBytes[stream] += part.length;
    }
    if (buf.length > room) this.truncated = true;
    this.onOutput?.(typeof chunk === 'string' ? chunk : chunk.toString('utf8'), stream);
  }

  text(stream: 'stdout' | 'stderr'): string {
    return Buffer.concat(this.kept[stream]).toString('utf8');
  }
}
