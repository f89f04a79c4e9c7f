import type { ModelPrice, ProviderConfig } from "../settings/schema";

/** The configured price of `providerId`'s `model`, or undefined when none is set. */
export type PriceLookup = (providerId: string, model: string) => ModelPrice | undefined;

/** No prices: every cost is unknown. */
export const NO_PRICES: PriceLookup = () => undefined;

const lookups = new WeakMap<readonly ProviderConfig[], PriceLookup>();

/**
 * A lookup over the `prices` of each provider in `subagents.providers`.
 * Memoised per providers array, so reading it from the current settings on
 * every snapshot costs nothing until the settings change.
 */
export function priceLookup(providers: readonly ProviderConfig[]): PriceLookup {
  const known = lookups.get(providers);
  if (known) return known;
  const table = new Map<string, ReadonlyMap<string, ModelPrice>>();
  for (const provider of providers) {
    if (provider.prices && Object.keys(provider.prices).length > 0) {
      table.set(provider.id, new Map(Object.entries(provider.prices)));
    }
  }
  const lookup: PriceLookup =
    table.size === 0 ? NO_PRICES : (providerId, model) => table.get(providerId)?.get(model);
  lookups.set(providers, lookup);
  return lookup;
}

/**
 * USD for the tokens at a price given per million tokens. `cachedIn` (part
 * of `tokensIn`) is charged at the cached-input price when one is set.
 */
export function costUsd(price: ModelPrice, tokensIn: number, tokensOut: number, cachedIn = 0): number {
  const cached = Math.min(Math.max(0, cachedIn), Math.max(0, tokensIn));
  const fresh = Math.max(0, tokensIn) - cached;
  const cachedPrice = price.cachedInputPerMillion ?? price.inputPerMillion;
  return (fresh * price.inputPerMillion + cached * cachedPrice + Math.max(0, tokensOut) * price.outputPerMillion) / 1_000_000;
}

/** The cost of one agent's own tokens, or undefined when its model has no price. */
export function agentCostUsd(
  lookup: PriceLookup,
  agent: { providerId: string; model: string; tokensIn: number; tokensOut: number; cachedTokensIn?: number },
): number | undefined {
  const price = lookup(agent.providerId, agent.model);
  return price ? costUsd(price, agent.tokensIn, agent.tokensOut, agent.cachedTokensIn ?? 0) : undefined;
}

/**
 * Adds costs where unknown ones count as nothing; the sum is unknown only when
 * every part is (so a subtree shows a cost as soon as one agent in it has a price).
 */
export function addCosts(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a + b;
}
