/**
 * How much a reasoning model thinks before it answers, in OpenAI's names.
 * Set per provider, per model entry and per agent type; the agent type's wins,
 * then the model entry's, then the provider's.
 */
export const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
