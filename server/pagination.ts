import { z } from 'zod';
import type { KeysetCursor } from '../db/keyset.ts';
import { ApiError } from './errors.ts';
import { text } from './validation.ts';

/** Query parameters every newest-first list takes. */
export const pageQuery = {
  cursor: text().max(500).optional().describe('The nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

export function encodeCursor(row: { createdAt: Date | string; id: string }): string {
  const at = typeof row.createdAt === 'string' ? row.createdAt : row.createdAt.toISOString();
  return Buffer.from(JSON.stringify([at, row.id])).toString('base64url');
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The cursor's position, or a 400 for anything this API did not hand out. Checked strictly: a
 * forged id or time must not reach the database, where it could fail the query instead.
 */
export function decodeCursor(cursor: string | undefined): KeysetCursor | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === 2) {
    const [at, id] = parsed as unknown[];
    if (typeof at === 'string' && ISO_TIME.test(at) && typeof id === 'string' && UUID.test(id)) {
      const createdAt = new Date(at);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id };
    }
  }
  throw new ApiError(400, 'invalid_input', 'cursor: is not a cursor this API returned; start again from the first page.');
}

/** One page of `rows`, fetched with limit + 1 so the extra row tells whether another page follows. */
export function toPage<T, V>(rows: T[], limit: number, cursorOf: (row: T) => { createdAt: Date | string; id: string }, view: (row: T) => V) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(view), nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
