import { useId, useState, type ChangeEvent } from 'react';
import { controlBuild, type BuildAction } from '../builds.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { formatCost } from '../format.ts';
import type { Build, BuildOptionsInput } from '../types.ts';

export type ControlRequest = 'pause' | 'resume' | 'cancel' | 'restart';

interface DialogCopy {
  title: string;
  confirm: string;
  busy: string;
  tone: 'primary' | 'danger';
  body: string;
}

const COPY: Record<ControlRequest, DialogCopy> = {
  pause: {
    title: 'Pause this build?',
    confirm: 'Pause build',
    busy: 'Pausing…',
    tone: 'primary',
    body: 'The running session stops at its next safe point and the workspace is checkpointed. Nothing runs, and nothing is spent, until you resume.',
  },
  resume: {
    title: 'Resume this build?',
    confirm: 'Resume build',
    busy: 'Resuming…',
    tone: 'primary',
    body: 'The agent continues from where it paused. Raise a limit below if the build paused because it reached one.',
  },
  restart: {
    title: 'Resume from the last checkpoint?',
    confirm: 'Resume from checkpoint',
    busy: 'Starting…',
    tone: 'primary',
    body: 'A new run of this build starts from its last saved checkpoint, keeping the features that already pass.',
  },
  cancel: {
    title: 'Cancel this build?',
    confirm: 'Cancel build',
    busy: 'Cancelling…',
    tone: 'danger',
    body: 'The agent stops, the workspace is saved as the artifact and the sandbox is removed. You can still resume it from its last checkpoint later.',
  },
};

const ACTION: Record<ControlRequest, BuildAction> = { pause: 'pause', resume: 'resume', restart: 'resume', cancel: 'cancel' };

/** Which controls a build in this state offers. */
export function availableControls(build: Build): ControlRequest[] {
  switch (build.status) {
    case 'queued':
    case 'running':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    case 'failed':
    case 'cancelled':
      return ['restart'];
    case 'completed':
      return [];
  }
}

const BUTTON_LABEL: Record<ControlRequest, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel build', restart: 'Resume from checkpoint' };

/** Pause / Resume / Cancel / Resume from checkpoint, each behind a confirmation. */
export function BuildControls({ build, onAccepted }: { build: Build; onAccepted: (request: ControlRequest, build: Build) => void }) {
  const [open, setOpen] = useState<ControlRequest | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [limits, setLimits] = useState<LimitFields>(EMPTY_LIMITS);
  const controls = availableControls(build);
  if (controls.length === 0) return null;

  function openDialog(request: ControlRequest) {
    setOpen(request);
    setError(null);
    setLimits(EMPTY_LIMITS);
  }

  async function confirm() {
    if (!open) return;
    setBusy(true);
    setError(null);
    try {
      const accepted = await controlBuild(build.id, ACTION[open], open === 'pause' || open === 'cancel' ? undefined : toLimits(limits));
      onAccepted(open, accepted);
      setOpen(null);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const copy = open ? COPY[open] : null;
  return (
    <div className="build-controls" role="group" aria-label="Build controls">
      {controls.map((request) => (
        <button
          key={request}
          type="button"
          className={request === 'cancel' ? 'button button--ghost-danger' : request === 'pause' ? 'button button--secondary' : 'button'}
          onClick={() => openDialog(request)}
          data-testid={`control-${request}`}
        >
          {BUTTON_LABEL[request]}
        </button>
      ))}
      <ConfirmDialog
        open={open !== null}
        title={copy?.title ?? ''}
        confirmLabel={copy?.confirm ?? ''}
        busyLabel={copy?.busy ?? ''}
        dismissLabel={open === 'cancel' ? 'Keep it running' : 'Go back'}
        tone={copy?.tone}
        busy={busy}
        error={error}
        onConfirm={confirm}
        onClose={() => setOpen(null)}
      >
        <p>{copy?.body}</p>
        {(open === 'resume' || open === 'restart') && <LimitInputs build={build} value={limits} onChange={setLimits} expanded={open === 'resume' && build.error !== null} />}
      </ConfirmDialog>
    </div>
  );
}

interface LimitFields {
  maxIterations: string;
  maxCostUsd: string;
  maxHours: string;
  stallLimit: string;
}
const EMPTY_LIMITS: LimitFields = { maxIterations: '', maxCostUsd: '', maxHours: '', stallLimit: '' };

function toLimits(fields: LimitFields): BuildOptionsInput | undefined {
  const limits: BuildOptionsInput = {};
  if (fields.maxIterations.trim()) limits.maxIterations = Number(fields.maxIterations);
  if (fields.maxCostUsd.trim()) limits.maxCostUsd = Number(fields.maxCostUsd);
  if (fields.maxHours.trim()) limits.maxHours = Number(fields.maxHours);
  if (fields.stallLimit.trim()) limits.stallLimit = Number(fields.stallLimit);
  return Object.keys(limits).length > 0 ? limits : undefined;
}

function LimitInputs({ build, value, onChange, expanded }: { build: Build; value: LimitFields; onChange: (v: LimitFields) => void; expanded: boolean }) {
  const id = useId();
  const set = (key: keyof LimitFields) => (e: ChangeEvent<HTMLInputElement>) => onChange({ ...value, [key]: e.target.value });
  const { limits } = build;
  return (
    <details className="limit-inputs" open={expanded}>
      <summary>Raise limits (optional)</summary>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-it`}>Max iterations</label>
          <input id={`${id}-it`} type="number" min={build.iteration + 1} step={1} value={value.maxIterations} onChange={set('maxIterations')} placeholder={limits.maxIterations ? `now ${limits.maxIterations}` : 'unchanged'} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-cost`}>Cost budget (USD)</label>
          <input id={`${id}-cost`} type="number" min={0.01} step={0.01} value={value.maxCostUsd} onChange={set('maxCostUsd')} placeholder={limits.maxCostUsd ? `now ${formatCost(limits.maxCostUsd)}` : 'unchanged'} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-hours`}>Hours from now</label>
          <input id={`${id}-hours`} type="number" min={0.1} step={0.1} value={value.maxHours} onChange={set('maxHours')} placeholder="unchanged" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-stall`}>Stall limit</label>
          <input id={`${id}-stall`} type="number" min={1} step={1} value={value.stallLimit} onChange={set('stallLimit')} placeholder={limits.stallLimit ? `now ${limits.stallLimit}` : 'unchanged'} />
        </div>
      </div>
    </details>
  );
}
