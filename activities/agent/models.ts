import type { SessionUsage } from '../../workflows/types.ts';

/** What the harness needs to know about a model: its price (USD per million tokens) and context window. */
export interface ModelInfo {
  input: number;
  output: number;
  /** 5-minute cache writes, the kind the harness uses. */
  cacheWrite: number;
  cacheRead: number;
  contextWindow: number;
}

// Anthropic's published prices and context windows. AGENT_MODEL_PRICES (JSON) adds or overrides entries.
export const DEFAULT_MODELS: Record<string, ModelInfo> = {
  'claude-fable-5-2': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1, contextWindow: 1_000_000 },
  'claude-fable-5-1': { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1, contextWindow: 1_000_000 },
  'claude-opus-5-5': { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.4, contextWindow: 1_000_000 },
  'claude-opus-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5, contextWindow: 1_000_000 },
  'claude-sonnet-5-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2, contextWindow: 1_000_000 },
  'claude-sonnet-5': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2, contextWindow: 1_000_000 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3, contextWindow: 200_000 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3, contextWindow: 200_000 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1, contextWindow: 200_000 },
};
const FALLBACK_MODEL = 'claude-sonnet-5-5';

export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export class ModelCatalog {
  private readonly models: Record<string, ModelInfo>;

  constructor(overrides: Record<string, Partial<ModelInfo>> = {}) {
    this.models = { ...DEFAULT_MODELS };
    for (const [name, info] of Object.entries(overrides)) {
      this.models[name] = { ...(this.models[name] ?? DEFAULT_MODELS[FALLBACK_MODEL]!), ...info };
    }
  }

  /** A model missing from the table is priced like the default so a budget still bites; `known` says it guessed. */
  lookup(model: string): { info: ModelInfo; known: boolean } {
    const exact = this.models[model];
    if (exact) return { info: exact, known: true };
    // Dated ids (claude-haiku-4-5-20251001) are priced like their alias.
    const alias = Object.keys(this.models).find((m) => model.startsWith(`${m}-`));
    if (alias) return { info: this.models[alias]!, known: true };
    return { info: this.models[FALLBACK_MODEL]!, known: false };
  }

  costOf(model: string, usage: TokenCounts): number {
    const { info } = this.lookup(model);
    const dollars =
      usage.input_tokens * info.input +
      usage.output_tokens * info.output +
      (usage.cache_creation_input_tokens ?? 0) * info.cacheWrite +
      (usage.cache_read_input_tokens ?? 0) * info.cacheRead;
    return dollars / 1_000_000;
  }

  addUsage(total: SessionUsage, model: string, usage: TokenCounts): void {
    total.inputTokens += usage.input_tokens;
    total.outputTokens += usage.output_tokens;
    total.cacheCreationInputTokens += usage.cache_creation_input_tokens ?? 0;
    total.cacheReadInputTokens += usage.cache_read_input_tokens ?? 0;
    total.costUsd += this.costOf(model, usage);
  }
}

export function emptyUsage(): SessionUsage {
  return { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0 };
}

/** Everything the model read in one turn: what counts against its context window. */
export function contextTokens(usage: TokenCounts): number {
  return usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}
