import { appendBuildEvents, type NewBuildEvent } from '../db/build-events.ts';
import type { Db } from '../db/connect.ts';

/** Longest text kept in one event field; the full size is recorded next to it. */
export const EVENT_TEXT_LIMIT = 16 * 1024;

/**
 * Buffers a session's events and writes them in batches. Keys are derived from the
 * activity attempt and a running index, so a flush retried after a database hiccup
 * adds nothing twice, while a new attempt of the session records its own events.
 */
export class EventLog {
  private pending: NewBuildEvent[] = [];
  private index = 0;

  constructor(
    private readonly db: Db,
    private readonly buildId: string,
    private readonly iteration: number,
    private readonly keyPrefix: string,
    private readonly secrets: string[],
  ) {}

  add(type: string, data: Record<string, unknown>): void {
    this.pending.push({ key: `${this.keyPrefix}.${this.index++}`, type, iteration: this.iteration, data: this.redact(data) });
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    await appendBuildEvents(this.db, this.buildId, batch);
    this.pending = this.pending.slice(batch.length);
  }

  private redact(data: Record<string, unknown>): Record<string, unknown> {
    let text = JSON.stringify(data);
    for (const secret of this.secrets) {
      if (secret.length >= 8) text = text.split(secret).join('[REDACTED]');
    }
    return JSON.parse(text) as Record<string, unknown>;
  }
}

export function truncateText(text: string, limit = EVENT_TEXT_LIMIT): { text: string; size: number; truncated: boolean } {
  const size = Buffer.byteLength(text);
  if (text.length <= limit) return { text, size, truncated: false };
  return { text: text.slice(0, limit), size, truncated: true };
}
