import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { errorBody } from '../errors.ts';

export function healthRoutes(db: Db, temporal: Client) {
  return new Hono()
    .get('/health', (c) => c.json({ status: 'ok' }))
    .get('/ready', async (c) => {
      const checks = await Promise.allSettled([
        sql`select 1`.execute(db),
        temporal.workflowService.getSystemInfo({}),
      ]);
      const [database, temporalCheck] = checks.map((r) => (r.status === 'fulfilled' ? 'ok' : `unreachable: ${(r.reason as Error).message}`));
      if (database !== 'ok' || temporalCheck !== 'ok') {
        return c.json({ ...errorBody('not_ready', 'A dependency is unreachable.'), checks: { database, temporal: temporalCheck } }, 503);
      }
      return c.json({ status: 'ready', checks: { database, temporal: temporalCheck } });
    });
}
