import type { ProviderConfig } from "../settings/schema";

/**
 * Execution slots one provider may hold at once:
 *
 *     providerCap = min(globalCap, max(1, usableKeys) × SLOTS_PER_KEY)
 *
 * Why: each key has its own rate limit, so throughput grows with the number
 * of usable (not invalid) keys; more agents than that on one provider only
 * turn into 429 bursts and cooldowns. A slot is held while an agent calls the
 * model *or runs a tool*, so roughly half of a provider's slot holders are
 * not talking to the API at any moment; two slots per key keeps about one
 * request in flight per key. `max(1, …)` keeps a provider with no pool (a
 * local server, or every key invalid) usable at a trickle instead of stuck,
 * and the global cap always wins. A provider's cap counts only that
 * provider's slot holders: counting others would starve a provider whose
 * keys are idle.
 */
export const SLOTS_PER_KEY = 2;

/**
 * The cap of one provider from its settings: its own `maxConcurrent` when
 * set; for a keyless provider (a local server: no per-key limits to respect)
 * the global cap; otherwise the key-based cap above. The global cap always wins.
 */
export function configuredProviderCap(
  globalCap: number,
  provider: Pick<ProviderConfig, "auth" | "maxConcurrent"> | undefined,
  usableKeys: number,
  slotsPerKey: number = SLOTS_PER_KEY,
): number {
  const global = Math.max(1, Math.floor(globalCap));
  if (provider?.maxConcurrent !== undefined) return Math.min(global, Math.max(1, Math.floor(provider.maxConcurrent)));
  if (provider?.auth === "none") return global;
  return providerCap(globalCap, usableKeys, slotsPerKey);
}

export function providerCap(globalCap: number, usableKeys: number, slotsPerKey: number = SLOTS_PER_KEY): number {
  const global = Math.max(1, Math.floor(globalCap));
  const keys = Math.max(1, Math.floor(usableKeys));
  return Math.min(global, Math.max(1, keys * Math.max(1, Math.floor(slotsPerKey))));
}

/**
 * The cap of models VS Code offers (`vscode-lm:`): no keys of ours to count,
 * and the user's quota with that provider is shared by all of them, so one
 * setting caps them together. The global cap always wins.
 */
export function vscodeLmCap(globalCap: number, maxConcurrent: number): number {
  return Math.min(Math.max(1, Math.floor(globalCap)), Math.max(1, Math.floor(maxConcurrent)));
}
