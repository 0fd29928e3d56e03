import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { health, readiness } from '../api-schemas.ts';
import { errorBody } from '../errors.ts';
import { route } from '../openapi.ts';

export function healthRoutes(db: Db, temporal: Client) {
  return new Hono()
    .get('/health', route('Meta', 'Liveness: the API process answers', { status: 200, description: 'Alive', schema: health }, [], { public: true }), (c) => c.json({ status: 'ok' }))
    .get('/ready', route('Meta', 'Readiness: the database and Temporal are reachable', { status: 200, description: 'Ready', schema: readiness }, [503], { public: true }), async (c) => {
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
