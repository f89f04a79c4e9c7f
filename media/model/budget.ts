import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";
import { formatTokens } from "./format";

type BudgetFields = Pick<AgentSnapshot, "budget" | "subtreeTokensIn" | "subtreeTokensOut" | "subtreeCostUsd">;

/** A root's spend against its task budget: tokens and, when priced, USD. */
export function formatBudgetLine(agent: BudgetFields): string | undefined {
  if (!agent.budget) return undefined;
  const parts: string[] = [];
  if (agent.budget.maxTokens !== undefined) {
    parts.push(`${formatTokens(agent.subtreeTokensIn + agent.subtreeTokensOut)} of ${formatTokens(agent.budget.maxTokens)} tokens`);
  }
  if (agent.budget.maxCostUsd !== undefined) parts.push(`$${(agent.subtreeCostUsd ?? 0).toFixed(2)} of $${agent.budget.maxCostUsd.toFixed(2)}`);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

/**
 * The share of its budget a task has used, in whole percent of the kind
 * closest to its limit; undefined without a budget. Whether the budget is
 * reached is the host's word (`budget.reached`), not this rounding.
 */
function budgetPercent(agent: BudgetFields): number | undefined {
  const budget = agent.budget;
  if (!budget) return undefined;
  const shares: number[] = [];
  if (budget.maxTokens !== undefined) shares.push((agent.subtreeTokensIn + agent.subtreeTokensOut) / budget.maxTokens);
  if (budget.maxCostUsd !== undefined) shares.push((agent.subtreeCostUsd ?? 0) / budget.maxCostUsd);
  if (shares.length === 0) return undefined;
  return Math.floor(100 * Math.max(...shares));
}

/** The row's badge and what a screen reader hears of it. */
export function budgetBadge(agent: BudgetFields): { text: string; spoken: string; reached: boolean } | undefined {
  const percent = budgetPercent(agent);
  const line = formatBudgetLine(agent);
  if (percent === undefined || line === undefined) return undefined;
  const reached = agent.budget?.reached === true;
  return reached
    ? { text: "budget spent", spoken: `budget spent, ${line}`, reached }
    : { text: `${Math.min(percent, 99)}% budget`, spoken: `${percent}% of budget used, ${line}`, reached };
}
