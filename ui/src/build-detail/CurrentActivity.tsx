import { capitalize, formatSpan } from '../format.ts';
import type { Build, BuildEvent } from '../types.ts';
import { describeToolInput } from './events.ts';

/** What each phase means while no tool call is under way. */
const PHASE_TEXT: Record<string, string> = {
  provisioning: 'Preparing the sandbox',
  initializing: 'Planning the feature list from the app spec',
  coding: 'Working on the next failing feature',
  checkpointing: 'Saving a checkpoint of the workspace',
  saving: 'Saving the workspace archive',
  cleanup: 'Cleaning up the sandbox',
};

interface Activity {
  label: string;
  /** The command or path, shown monospaced. */
  code?: string;
  since?: string;
  live: boolean;
}

/** The latest thing the agent did or is doing, read from the newest events. */
export function currentActivity(build: Build, events: BuildEvent[]): Activity {
  const last = [...events].reverse().find((e) => ['tool_call', 'tool_result', 'agent_message', 'session_started', 'session_finished', 'session_interrupted', 'paused'].includes(e.type));
  if (build.status === 'completed') return { label: 'Finished: every feature passes', live: false };
  if (build.status === 'cancelled') return { label: 'Cancelled', live: false };
  if (build.status === 'failed') return { label: `Stopped: ${build.error?.message ?? 'the build failed'}`, live: false };
  if (build.status === 'paused') return { label: build.error ? `Paused: ${build.error.message}` : 'Paused: nothing runs until you resume', live: false };
  if (build.status === 'queued') return { label: 'Waiting for a worker to pick the build up', live: true };

  if (last?.type === 'tool_call') {
    const tool = typeof last.data.tool === 'string' ? last.data.tool : 'tool';
    const { summary } = describeToolInput(tool, last.data.input);
    return { label: tool === 'bash' ? 'Running a command' : `Using ${tool}`, code: summary, since: last.at, live: true };
  }
  if (last?.type === 'tool_result' || last?.type === 'agent_message') return { label: 'Thinking about the next step', since: last.at, live: true };
  if (last?.type === 'session_started') return { label: `Session ${last.iteration} started: waiting for the model`, since: last.at, live: true };
  return { label: build.phase ? (PHASE_TEXT[build.phase] ?? capitalize(build.phase)) : 'Between sessions', since: last?.at, live: true };
}

export function CurrentActivity({ build, events, now }: { build: Build; events: BuildEvent[]; now: number }) {
  const activity = currentActivity(build, events);
  const since = activity.since ? now - Date.parse(activity.since) : null;
  return (
    <section className={`card activity${activity.live ? ' activity--live' : ''}`} aria-labelledby="activity-title" data-testid="current-activity">
      <h2 id="activity-title" className="card__eyebrow">
        {activity.live ? 'Now' : 'Last state'}
      </h2>
      <p className="activity__label">
        {activity.live && <span className="activity__pulse" aria-hidden="true" />}
        {activity.label}
        {since !== null && activity.live && <span className="activity__since"> · {formatSpan(since)}</span>}
      </p>
      {activity.code && (
        <pre className="activity__code" data-testid="current-command">
          <code>{activity.code}</code>
        </pre>
      )}
      {build.phase && activity.live && <p className="activity__phase muted">Phase: {capitalize(build.phase)}, session {build.iteration}</p>}
    </section>
  );
}
