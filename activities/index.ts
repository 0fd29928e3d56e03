import { agentActivities } from './agent-iteration.ts';
import type { ActivityDeps } from './deps.ts';
import { progressActivities } from './progress.ts';
import { sandboxLifecycleActivities } from './sandbox-lifecycle.ts';

export type { ActivityDeps } from './deps.ts';
export { artifactKey, SPEC_FILE } from './deps.ts';

/** Every activity the build workflow calls, bound to this worker's database, sandboxes and storage. */
export function createActivities(deps: ActivityDeps) {
  return { ...sandboxLifecycleActivities(deps), ...agentActivities(deps), ...progressActivities(deps) };
}

export type BuildActivities = ReturnType<typeof createActivities>;
