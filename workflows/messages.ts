import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BuildState, LimitsPatch } from './types.ts';

// Signals take no arguments so operators can send them from the Temporal Web UI as they are.
// Pause takes effect at the running session's next safe point; resume continues from the checkpoint.
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

// An update, not a signal: the caller learns at once whether the new limits were accepted
// (the validator rejects nonsense before anything is written to history).
export const updateLimitsUpdate = defineUpdate<BuildState, [LimitsPatch]>('updateLimits');

export const stateQuery = defineQuery<BuildState>('state');
