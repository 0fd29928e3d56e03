import { z } from 'zod';
import type { Feature } from '../db/schema.ts';

export const FEATURE_LIST_FILE = 'feature_list.json';

const featureSchema = z.object({
  category: z.string(),
  description: z.string(),
  steps: z.array(z.string()),
  passes: z.boolean(),
});
const featureListSchema = z.array(featureSchema);

export type ParsedFeatureList = { ok: true; features: Feature[] } | { ok: false; reason: string };

export function parseFeatureList(text: string): ParsedFeatureList {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `feature_list.json is not valid JSON: ${(err as Error).message}` };
  }
  const parsed = featureListSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `feature_list.json does not match the schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message}` };
  }
  // Only the four contract fields are kept: extra keys the agent adds are not part of the snapshot.
  return { ok: true, features: parsed.data.map(({ category, description, steps, passes }) => ({ category, description, steps, passes })) };
}

/**
 * The agent may only flip `passes`. Returns why `next` edits `previous` in a forbidden way,
 * or null when it only flips flags (or adds features, which the initializer may do).
 */
export function forbiddenFeatureEdit(previous: Feature[], next: Feature[]): string | null {
  if (next.length < previous.length) return `${previous.length - next.length} feature(s) were removed`;
  for (let i = 0; i < previous.length; i++) {
    const before = previous[i]!;
    const after = next[i]!;
    if (before.description !== after.description || before.category !== after.category) return `feature ${i + 1} ("${before.description}") was renamed or reordered`;
    if (before.steps.length !== after.steps.length || before.steps.some((s, j) => s !== after.steps[j])) return `the steps of feature ${i + 1} ("${before.description}") were changed`;
  }
  return null;
}

export interface FeatureTransition {
  index: number;
  description: string;
  passes: boolean;
}

export function featureTransitions(previous: Feature[], next: Feature[]): FeatureTransition[] {
  const changes: FeatureTransition[] = [];
  next.forEach((f, index) => {
    const before = previous[index]?.passes ?? false;
    if (f.passes !== before) changes.push({ index, description: f.description, passes: f.passes });
  });
  return changes;
}
