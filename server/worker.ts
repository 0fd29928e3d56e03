import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

let runtimeInstalled = false;

/** Temporal's core logs at WARN and above; our own logger covers the rest. Once per process. */
export function installTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by an earlier platform in this process (tests): keep it.
  }
}

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (bundleWorkflowCode output); without it the worker bundles workflows/ at start. */
  workflowBundlePath?: string;
  activities: ActivityDeps;
}

export interface RunningWorker {
  /** Stops polling, lets running activities see cancellation, and resolves when the worker has stopped. */
  stop(): Promise<void>;
  /** Settles when the worker stops by itself (a fatal error) or after stop(). */
  done: Promise<void>;
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  installTemporalRuntime();
  const connection = await NativeConnection.connect({ address: o.address });
  const worker = await Worker.create({
    connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    ...(o.workflowBundlePath ? { workflowBundle: { codePath: o.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(o.activities),
    // A session may run for an hour; on shutdown it gets a moment to stop cleanly, then is retried elsewhere.
    shutdownGraceTime: '10 seconds',
    // Heartbeats carry pause and cancel requests to a running session: send them often enough
    // that a pause takes effect within seconds (the default waits up to 80% of the heartbeat timeout).
    maxHeartbeatThrottleInterval: '2 seconds',
  });
  const done = worker.run().finally(() => connection.close());
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
