import { describe, expect, it } from 'vitest';
import { addUsage, costOf, emptyUsage, priceFor } from '../activities/agent/pricing.ts';

describe('cost accounting', () => {
  it('prices input, output, cache writes and cache reads per million tokens', () => {
    // Sonnet 5.5: $2 in, $10 out, $2.50 cache write, $0.20 cache read.
    const cost = costOf('claude-sonnet-5-5', { input_tokens: 1_000_000, output_tokens: 100_000, cache_creation_input_tokens: 200_000, cache_read_input_tokens: 5_000_000 });
    expect(cost).toBeCloseTo(2 + 1 + 0.5 + 1, 10);
  });

  it('prices a dated model id like its alias, and an unknown one like the default while saying so', () => {
    expect(priceFor('claude-haiku-4-5-20251001')).toMatchObject({ known: true, price: { input: 1 } });
    expect(priceFor('claude-future-9')).toMatchObject({ known: false, price: { input: 2 } });
  });

  it('adds turns up', () => {
    const total = emptyUsage();
    addUsage(total, 'claude-haiku-4-5', { input_tokens: 1000, output_tokens: 100 });
    addUsage(total, 'claude-haiku-4-5', { input_tokens: 500, output_tokens: 50, cache_read_input_tokens: 10_000 });
    expect(total).toMatchObject({ inputTokens: 1500, outputTokens: 150, cacheReadInputTokens: 10_000 });
    expect(total.costUsd).toBeCloseTo((1500 * 1 + 150 * 5 + 10_000 * 0.1) / 1e6, 12);
  });
});
