/**
 * What the LLM calls cost, estimated from the tokens the endpoint reports and a price table in USD per million
 * prompt and completion tokens: `llm.pricing` in the config, over the defaults below (list prices of a few common
 * OpenAI models when written, 2026; check your provider's page and override). A model that is in neither table
 * (a local model on Ollama or vLLM) costs nothing here: give it a price in `llm.pricing` to count it.
 */
import type { ModelPrice } from '../config/schema';

export type { ModelPrice } from '../config/schema';

export const DEFAULT_PRICING: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o-mini': { prompt: 0.15, completion: 0.6 },
  'gpt-4o': { prompt: 2.5, completion: 10 },
  'gpt-4.1-nano': { prompt: 0.1, completion: 0.4 },
  'gpt-4.1-mini': { prompt: 0.4, completion: 1.6 },
  'gpt-4.1': { prompt: 2, completion: 8 },
  'gpt-5-nano': { prompt: 0.05, completion: 0.4 },
  'gpt-5-mini': { prompt: 0.25, completion: 2 },
  'gpt-5': { prompt: 1.25, completion: 10 },
};

/** The defaults with the config's table over them. */
export function pricingTable(overrides: Record<string, ModelPrice> | undefined): Record<string, ModelPrice> {
  return { ...DEFAULT_PRICING, ...(overrides ?? {}) };
}

/**
 * The price of `model`: its own entry, else the longest entry it starts with followed by `-` (a dated snapshot,
 * `gpt-4o-mini-2024-07-18`, is priced as `gpt-4o-mini`); undefined for a model with no price.
 */
export function priceOf(table: Record<string, ModelPrice>, model: string): ModelPrice | undefined {
  const own = table[model];
  if (own) return own;
  let best: string | undefined;
  for (const name of Object.keys(table))
    if (model.startsWith(`${name}-`) && (!best || name.length > best.length)) best = name;
  return best ? table[best] : undefined;
}

/** The estimated cost in USD of one call's tokens (0 for a model with no price). */
export function costUsd(
  table: Record<string, ModelPrice>,
  model: string,
  tokens: { prompt: number; completion: number },
): number {
  const price = priceOf(table, model);
  if (!price) return 0;
  return (tokens.prompt * price.prompt + tokens.completion * price.completion) / 1_000_000;
}

/** A cost as it is shown and put in JSON: USD rounded to a hundredth of a cent. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/** A cost for a person: `$0.0123`, `$1.25`. */
export function formatUsd(usd: number): string {
  return `$${usd >= 1 ? usd.toFixed(2) : roundUsd(usd).toFixed(4)}`;
}
