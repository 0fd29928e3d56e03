import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { inject } from 'vitest';
import { migrateToLatest, openDatabase, type DbHandle } from '../../db/connect.ts';

/**
 * The databases the repository suites run on: PGlite always, and the run's Postgres when it has
 * one, so the same queries are proven on both in one `npm test`.
 */
export function testDialects(): Array<{ name: 'pglite' | 'postgres'; open: () => Promise<DbHandle> }> {
  const url = inject('databaseUrl');
  const open = (databaseUrl?: string) => async () => {
    const handle = await openDatabase({ databaseUrl, pgliteDir: path.join(inject('tmpRoot'), `repo-pg-${randomUUID().slice(0, 8)}`) });
    await migrateToLatest(handle.db);
    return handle;
  };
  return [{ name: 'pglite' as const, open: open() }, ...(url ? [{ name: 'postgres' as const, open: open(url) }] : [])];
}
