import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { Db } from '../../db/connect.ts';

export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Total Time'?: number;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

/**
 * The plans of every SELECT `run` sends. With `steer` (the default) Postgres plans as if
 * sequential scans and sorts were a last resort: a plan that still scans a table has no index to
 * use, and one that still sorts has no index delivering the order asked for. (Small test tables
 * would otherwise always be scanned and sorted, which proves nothing about large ones.) With
 * `analyze` the queries run and the plans carry actual times.
 */
export async function plansOf(db: Db, run: (db: Db) => Promise<unknown>, opts: { analyze?: boolean; steer?: boolean } = {}): Promise<PlanNode[]> {
  const { analyze = false, steer = true } = opts;
  const captured: RootOperationNode[] = [];
  const capture: KyselyPlugin = {
    transformQuery: ({ node }) => {
      captured.push(node);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  await run(db.withPlugin(capture));
  return db.connection().execute(async (conn) => {
    // Bitmap scans lose the index order, so they go too: the plan then shows which index orders the rows.
    if (steer) for (const setting of ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']) await sql`select set_config(${setting}, 'off', false)`.execute(conn);
    try {
      const plans: PlanNode[] = [];
      for (const node of captured) {
        if (node.kind !== 'SelectQueryNode') continue;
        const compiled = conn.getExecutor().compileQuery(node, { queryId: randomUUID() });
        const { rows } = await conn.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (${analyze ? 'analyze, ' : ''}format json) ${compiled.sql}`, [...compiled.parameters]));
        const raw = rows[0]!['QUERY PLAN'];
        // pg parses the json column; PGlite may hand it over as text.
        const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode }>;
        plans.push(parsed[0]!.Plan);
      }
      return plans;
    } finally {
      await sql`reset all`.execute(conn);
    }
  });
}

export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}
