// Orchestration cost of one agent session: the time between one session's end and the next
// one's start (workflow task, bookkeeping activities, database writes), and the workflow
// history events each session adds. The model answers instantly, so what is measured is ours.
// PGlite by default; BENCH_DATABASE_URL points it at a Postgres database it may write to.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { startPlatform } from '../server/platform.ts';
import { startTemporalDevServer } from '../server/temporal-dev-server.ts';
import { ensureTool, TEMPORAL_CLI } from '../server/tool-binaries.ts';
import { ApiClient, waitFor } from '../tests/support/api-client.ts';
import { freePort } from '../tests/support/ports.ts';
import { scriptedAgent } from '../tests/support/scripted-agent.ts';
import { startScriptedAnthropic } from '../tests/support/scripted-anthropic.ts';

const FEATURES = Number(process.env.BENCH_FEATURES ?? 30);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aap-bench-'));
const server = await startTemporalDevServer({ binary: await ensureTool(TEMPORAL_CLI), port: await freePort(), uiPort: null });
const model = await startScriptedAnthropic(scriptedAgent({ features: FEATURES }));
const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, TEMPORAL_ADDRESS: server.address, ANTHROPIC_API_KEY: 'bench-key-0123456789', ANTHROPIC_BASE_URL: model.url, LOG_LEVEL: 'warn', DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '', RATE_LIMIT_PER_MINUTE: '0' });
const platform = await startPlatform(config, createLogger('warn'));
try {
  const api = new ApiClient(platform.url!);
  await api.signUp();
  const started = Date.now();
  const { body: build } = await api.json('POST', '/api/builds', { spec: 'bench', options: { maxIterations: FEATURES + 5 } });
  const done = await waitFor('the bench build', async () => {
    const r = await api.json('GET', `/api/builds/${build.id}`);
    return r.body.status === 'completed' && r.body;
  }, 600_000, 100);
  const wallMs = Date.now() - started;

  const { body } = await api.json('GET', `/api/builds/${build.id}/events?limit=1000`);
  const events = body.events as Array<{ type: string; at: string }>;
  const gaps: number[] = [];
  let lastEnd: number | null = null;
  for (const e of events) {
    if (e.type === 'session_finished') lastEnd = Date.parse(e.at);
    if (e.type === 'session_started' && lastEnd !== null) {
      gaps.push(Date.parse(e.at) - lastEnd);
      lastEnd = null;
    }
  }
  gaps.sort((a, b) => a - b);
  const pct = (p: number) => gaps[Math.min(gaps.length - 1, Math.floor((p / 100) * gaps.length))] ?? NaN;

  const connection = await Connection.connect({ address: server.address });
  const history = await new Client({ connection }).workflow.getHandle(build.workflow.id).fetchHistory();
  await connection.close();
  const historyEvents = history.events?.length ?? 0;

  console.log(`sessions: ${done.iteration} (${FEATURES} features, database: ${config.DATABASE_URL ? 'postgres' : 'pglite'})`);
  console.log(`build wall time: ${(wallMs / 1000).toFixed(2)} s, ${(wallMs / done.iteration).toFixed(0)} ms per session`);
  console.log(`orchestration overhead between sessions: p50 ${pct(50)} ms, p90 ${pct(90)} ms, max ${gaps[gaps.length - 1]} ms`);
  console.log(`workflow history: ${historyEvents} events, ${(historyEvents / done.iteration).toFixed(1)} per session`);
} finally {
  await platform.stop();
  await model.close();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
