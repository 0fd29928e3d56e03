import type { SessionUsage } from '../../workflows/types.ts';

/** US dollars per million tokens. Cache writes are the 5-minute kind, which is what the agent uses. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

// From Anthropic's published price list. A model missing here is priced as the default (Sonnet)
// so a budget still bites, and the session records that it guessed.
export const MODEL_PRICES: Record<string, ModelPrice> = {
  'claude-fable-5-2': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 },
  'claude-fable-5-1': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 },
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.4 },
  'claude-opus-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  'claude-sonnet-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
};
export const DEFAULT_PRICE_MODEL = 'claude-sonnet-5-5';

export function priceFor(model: string): { price: ModelPrice; known: boolean } {
  const exact = MODEL_PRICES[model];
  if (exact) return { price: exact, known: true };
  // Dated ids (claude-haiku-4-5-20251001) price like their alias.
  const alias = Object.keys(MODEL_PRICES).find((m) => model.startsWith(`${m}-`));
  if (alias) return { price: MODEL_PRICES[alias]!, known: true };
  return { price: MODEL_PRICES[DEFAULT_PRICE_MODEL]!, known: false };
}

export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export function costOf(model: string, usage: TokenCounts): number {
  const { price } = priceFor(model);
  const dollars =
    usage.input_tokens * price.input +
    usage.output_tokens * price.output +
    (usage.cache_creation_input_tokens ?? 0) * price.cacheWrite +
    (usage.cache_read_input_tokens ?? 0) * price.cacheRead;
  return dollars / 1_000_000;
}

export function emptyUsage(): SessionUsage {
  return { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0 };
}

export function addUsage(total: SessionUsage, model: string, usage: TokenCounts): void {
  total.inputTokens += usage.input_tokens;
  total.outputTokens += usage.output_tokens;
  total.cacheCreationInputTokens += usage.cache_creation_input_tokens ?? 0;
  total.cacheReadInputTokens += usage.cache_read_input_tokens ?? 0;
  total.costUsd += costOf(model, usage);
}
