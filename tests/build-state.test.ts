import { describe, expect, it } from 'vitest';
import { BuildStateMachine, validateLimitsPatch } from '../workflows/build-state.ts';
import type { AgentIterationResult, BuildInput } from '../workflows/types.ts';

const input = (limits: Partial<BuildInput['limits']> = {}): BuildInput => ({
  buildId: 'b',
  ownerId: 'o',
  model: 'm',
  limits: { maxIterations: 10, maxCostUsd: 1, deadline: null, stallLimit: 2, ...limits },
  heartbeatTimeoutSeconds: 30,
  sessionRetry: { maximumAttempts: 5, initialIntervalSeconds: 5 },
  continueAsNewEvery: 50,
});
const result = (costUsd = 0.01, stopReason = 'end_turn'): AgentIterationResult => ({
  usage: { inputTokens: 10, outputTokens: 5, cacheCreationInputTokens: 1, cacheReadInputTokens: 2, costUsd },
  turns: 1,
  stopReason,
});

describe('the build state machine', () => {
  it('starts with the initializer and codes once a feature list exists', () => {
    const b = new BuildStateMachine(input());
    expect(b.nextSessionKind).toBe('initializer');
    b.startSession();
    b.finishSession('initializer', result(), { total: 3, passing: 0 });
    expect(b.nextSessionKind).toBe('coding');
    expect(b.usage).toEqual({ inputTokens: 13, outputTokens: 5, costUsd: 0.01 });
  });

  it('stops at the deadline, the budget and the iteration limit, each with its own reason', () => {
    const deadline = new BuildStateMachine(input({ deadline: '2026-01-01T00:00:00Z' }));
    expect(deadline.stopReason(Date.parse('2025-12-31T23:59:59Z'))).toBeNull();
    expect(deadline.stopReason(Date.parse('2026-01-01T00:00:00Z'))?.code).toBe('deadline');
    const budget = new BuildStateMachine(input({ maxCostUsd: 0.02 }));
    budget.finishSession('initializer', result(0.02), { total: 1, passing: 0 });
    expect(budget.stopReason(0)?.code).toBe('max_cost');
    const iterations = new BuildStateMachine(input({ maxIterations: 1 }));
    iterations.startSession();
    expect(iterations.stopReason(0)?.code).toBe('max_iterations');
    iterations.raiseLimits({ maxIterations: 2 });
    expect(iterations.stopReason(0)).toBeNull();
  });

  it('counts stalls only for coding sessions that were not interrupted, and resets on progress or resume', () => {
    const b = new BuildStateMachine(input());
    b.finishSession('initializer', result(), { total: 3, passing: 0 });
    b.finishSession('coding', result(0, 'interrupted'), { total: 3, passing: 0 });
    expect(b.sessionsWithoutProgress).toBe(0);
    b.finishSession('coding', result(), { total: 3, passing: 0 });
    b.finishSession('coding', result(), { total: 3, passing: 0 });
    expect(b.stopReason(0)?.code).toBe('stalled');
    b.requestResume();
    expect(b.stopReason(0)).toBeNull();
    b.finishSession('coding', result(), { total: 3, passing: 0 });
    b.finishSession('coding', result(), { total: 3, passing: 1 });
    expect(b.sessionsWithoutProgress).toBe(0);
  });

  it('carries everything a new run needs', () => {
    const b = new BuildStateMachine(input());
    b.startSession();
    b.finishSession('initializer', result(), { total: 3, passing: 1 });
    b.sandboxId = 'sb';
    b.checkpointKey = 'ck';
    b.halt({ code: 'InvalidApiKey', message: 'bad key' });
    const next = new BuildStateMachine({ ...input(), carried: b.carry() });
    expect(next.snapshot()).toEqual({ ...b.snapshot(), status: 'queued', phase: null, error: null });
    expect(next.stopReason(0)?.code).toBe('InvalidApiKey');
  });

  it('validates limit updates', () => {
    expect(() => validateLimitsPatch({ maxIterations: 20, maxCostUsd: 5, stallLimit: 3, deadline: '2030-01-01T00:00:00Z' })).not.toThrow();
    expect(() => validateLimitsPatch({ maxIterations: 0 })).toThrow(/maxIterations/);
    expect(() => validateLimitsPatch({ maxCostUsd: -1 })).toThrow(/maxCostUsd/);
    expect(() => validateLimitsPatch({ deadline: 'soon' })).toThrow(/deadline/);
    expect(() => validateLimitsPatch({ turbo: 1 } as never)).toThrow(/Unknown limit/);
  });
});
