import type { Settings } from "../settings/schema";
import type { AgentRegistry } from "./agentRegistry";
import { effectiveLimits, hasLimits, overBudget, settingsLimits, spendOf } from "./taskLimits";

/**
 * The budget of one task: tokens and, with prices, USD. Off when both limits
 * are 0. Once spent, no new subagent starts and running agents are told to
 * wrap up; nothing is cut off mid-answer.
 */
export function budgetSpent(settings: Settings, registry: AgentRegistry, agentId: string): string | undefined {
  const base = settingsLimits(settings);
  if (!hasLimits(base)) return undefined;
  const rootId = registry.get(agentId)?.rootId;
  const rootRecord = rootId === undefined ? undefined : registry.get(rootId);
  const root = rootId === undefined ? undefined : registry.snapshot(rootId);
  if (!root || !rootRecord) return undefined;
  return overBudget(effectiveLimits(base, rootRecord.budgetRaise), spendOf(root), rootRecord.budgetRaise);
}

export function wrapUpNote(reason: string): string {
  return `The budget is spent: ${reason}. Do not start new work or subagents; reply now with your result so far.`;
}

