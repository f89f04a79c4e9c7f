import type { Settings } from "../settings/schema";
import type { AgentRegistry } from "./agentRegistry";

/**
 * The budget of one task (a root and its subtree): tokens and, with prices,
 * USD. Off when both limits are 0. Once spent, no new subagent starts and
 * running agents are told to wrap up; nothing is cut off mid-answer.
 */
export function budgetSpent(settings: Settings, registry: AgentRegistry, agentId: string): string | undefined {
  const maxTokens = settings["budget.maxTokensPerTask"];
  const maxCost = settings["budget.maxCostPerTask"];
  if (maxTokens === 0 && maxCost === 0) return undefined;
  const rootId = registry.get(agentId)?.rootId;
  const root = rootId === undefined ? undefined : registry.snapshot(rootId);
  if (!root) return undefined;
  const tokens = root.subtreeTokensIn + root.subtreeTokensOut;
  if (maxTokens > 0 && tokens >= maxTokens) {
    return `this task has used ${tokens} of its ${maxTokens} tokens (subagents.budget.maxTokensPerTask)`;
  }
  if (maxCost > 0 && root.subtreeCostUsd !== undefined && root.subtreeCostUsd >= maxCost) {
    return `this task has spent $${root.subtreeCostUsd.toFixed(4)} of its $${maxCost} budget (subagents.budget.maxCostPerTask)`;
  }
  return undefined;
}

export function wrapUpNote(reason: string): string {
  return `The budget is spent: ${reason}. Do not start new work or subagents; reply now with your result so far.`;
}
