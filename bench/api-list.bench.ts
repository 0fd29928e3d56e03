// GET /api/builds latency with a heavy account: 10,000 builds and 1,000,000 events in Postgres,
// through the real app (auth, validation, query, JSON). Prints p50/p99 for the first page and a
// page deep in the list (a keyset cursor ~9,000 builds in), and the plans Postgres chose.
// Needs Postgres: BENCH_DATABASE_URL or DATABASE_URL (a server it may create a database on).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import pg from 'pg';
import { LocalArtifactStorage } from '../activities/storage/local.ts';
import { insertApiToken } from '../db/api-tokens.ts';
import { listOwnedBuilds } from '../db/builds.ts';
import { migrateToLatest, openDatabase } from '../db/connect.ts';
import { insertUser } from '../db/users.ts';
import { createApp } from '../server/app.ts';
import { hashToken } from '../server/auth.ts';
import { createLogger } from '../server/logger.ts';
import { encodeCursor } from '../server/pagination.ts';
import { planNodes, plansOf } from '../tests/support/query-plans.ts';

const BUILDS = 10_000;
const EVENTS_PER_BUILD = 100;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);

const base = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!base) {
  console.log('api-list: skipped, no Postgres configured (set BENCH_DATABASE_URL or DATABASE_URL to a server this bench may create a database on).');
  process.exit(0);
}
const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 });
try {
  await admin.connect();
} catch (err) {
  console.log(`api-list: skipped, Postgres at ${new URL(base).host} does not answer (${(err as Error).message}).`);
  process.exit(0);
}
const dbName = `aap_bench_${process.pid}_${Date.now().toString(36)}`;
await admin.query(`create database ${dbName}`);
const url = new URL(base);
url.pathname = `/${dbName}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aap-bench-list-'));
const database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: path.join(dataDir, 'unused') });

try {
  const db = database.db;
  await migrateToLatest(db);
  const ownerId = crypto.randomUUID();
  await insertUser(db, { id: ownerId, email: 'bench@example.com', name: null, passwordHash: 'x' });
  const token = 'aap_bench_token';
  await insertApiToken(db, { id: crypto.randomUUID(), userId: ownerId, name: 'bench', tokenHash: hashToken(token) });

  let t = performance.now();
  // One build a minute going back a week; every other one completed with an artifact.
  await sql`
    insert into builds (id, owner_id, name, spec_content, status, options, workflow_id, event_seq, created_at, updated_at)
    select id, ${ownerId}, 'Build ' || i, '# App ' || i, (array['queued','running','paused','completed','failed','cancelled'])[1 + i % 6],
           '{"model":"claude-sonnet-5-5","maxIterations":50,"maxCostUsd":50,"deadline":null,"stallLimit":5,"sandbox":"local"}'::jsonb,
           'build-' || id, ${EVENTS_PER_BUILD}, ts, ts
    from (select i, gen_random_uuid()::text as id, date_trunc('milliseconds', now() - i * interval '1 minute') as ts
          from generate_series(1, ${BUILDS}) as i) as s`.execute(db);
  await sql`
    insert into artifacts (build_id, storage_key, format, size_bytes, sha256, file_count)
    select id, 'builds/' || id || '/workspace.tar.gz', 'tar.gz', 1048576, md5(id) || md5(id), 120 from builds where status = 'completed'`.execute(db);
  await sql`
    insert into build_events (build_id, seq, key, at, type, iteration, data)
    select b.id, s, 'e' || s, b.created_at + s * interval '1 second', 'tool_call', 1 + s / 10, '{"tool":"bash","command":"npm test"}'::jsonb
    from builds b cross join generate_series(1, ${EVENTS_PER_BUILD}) as s`.execute(db);
  await sql`analyze`.execute(db);
  const counts = await sql<{ builds: number; events: number }>`select (select count(*) from builds) as builds, (select count(*) from build_events) as events`.execute(db);
  console.log(`seeded ${counts.rows[0]!.builds} builds and ${counts.rows[0]!.events} events in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const app = createApp({
    db,
    // GET /api/builds never talks to Temporal; a lazy connection is never opened.
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    storage: new LocalArtifactStorage(path.join(dataDir, 'artifacts')),
    log: createLogger('warn'),
    secureCookies: false,
    builds: {
      namespace: 'default',
      temporalUiUrl: 'http://localhost:8233',
      taskQueue: 'bench',
      heartbeatTimeoutSeconds: 30,
      continueAsNewEvery: 50,
      sessionRetry: { maximumAttempts: 1, initialIntervalSeconds: 1 },
      defaults: { model: 'claude-sonnet-5-5', maxIterations: 50, maxCostUsd: 50, stallLimit: 5, sandbox: 'local' },
      maxActiveBuildsPerUser: 3,
    },
    security: { trustProxy: false, requestsPerMinute: 0, passwordRequestsPerMinute: 0, login: { freeAttempts: 5, maxLockoutSeconds: 900 } },
  });

  const deep = (await db.selectFrom('builds').select(['created_at', 'id']).where('owner_id', '=', ownerId).orderBy('created_at', 'desc').orderBy('id', 'desc').offset(9_000).limit(1).executeTakeFirstOrThrow());
  const deepCursor = encodeCursor({ createdAt: deep.created_at, id: deep.id });

  const measure = async (label: string, path: string) => {
    const get = async () => {
      const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { items: unknown[] };
    };
    for (let i = 0; i < 30; i++) await get(); // warm-up: JIT, connection pool, buffer cache
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < REQUESTS; i++) {
      const start = performance.now();
      items = (await get()).items.length;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(2);
    console.log(`${label.padEnd(34)} p50 ${pct(50)} ms   p99 ${pct(99)} ms   (${REQUESTS} requests, ${items} builds a page)`);
  };

  console.log(`\nGET /api/builds for one account with ${BUILDS} builds (${BUILDS * EVENTS_PER_BUILD} events in the database):`);
  await measure('first page (limit=20)', '/api/builds?limit=20');
  await measure('deep cursor (~9,000 in, limit=20)', `/api/builds?limit=20&cursor=${deepCursor}`);
  await measure('first page, status=running', '/api/builds?limit=20&status=running');
  await measure('first page (limit=100)', '/api/builds?limit=100');

  t = performance.now();
  const plans = [
    ['first page', await plansOf(db, (d) => listOwnedBuilds(d, ownerId, { limit: 21 }), { analyze: true, steer: false })],
    ['deep cursor', await plansOf(db, (d) => listOwnedBuilds(d, ownerId, { after: { createdAt: deep.created_at, id: deep.id }, limit: 21 }), { analyze: true, steer: false })],
  ] as const;
  console.log('\nplans Postgres chose (EXPLAIN ANALYZE):');
  for (const [label, [plan]] of plans) {
    const nodes = planNodes(plan!).map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`);
    console.log(`  ${label.padEnd(12)} ${plan!['Actual Total Time']?.toFixed(3)} ms: ${nodes.join(' > ')}`);
  }
} finally {
  await database.close();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
