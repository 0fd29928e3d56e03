import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BuildState } from './types.ts';

// Signals take no arguments so operators can send them from the Temporal Web UI as they are.
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

export const stateQuery = defineQuery<BuildState>('state');
