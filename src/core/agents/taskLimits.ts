import { MAX_TASK_COST_USD, MAX_TASK_TOKENS, type Settings } from "../settings/schema";
import type { AgentSnapshot } from "../protocol/agentSnapshot";

/*
 * The limits of a task's budget and the rules for raising them: plain
 * values, so the registry, the records and the host's input box share them.
 */

/** The limits of one task (a root and its subtree); 0 = no limit of that kind. */
export interface TaskLimits {
  maxTokens: number;
  maxCostUsd: number;
}

/** Limits the user raised for one task from the tree; kept on its root and saved with the tree. */
export interface BudgetRaise {
  maxTokens?: number;
  maxCostUsd?: number;
}

export type BudgetKind = keyof TaskLimits;

export const NO_LIMITS: TaskLimits = { maxTokens: 0, maxCostUsd: 0 };


export function settingsLimits(settings: Settings): TaskLimits {
  return { maxTokens: settings["budget.maxTokensPerTask"], maxCostUsd: settings["budget.maxCostPerTask"] };
}

/**
 * The limits one task runs under. A raise counts only while the setting of
 * its kind is on (setting it to 0 turns that budget off for every task), and
 * a setting raised above an earlier per-task raise wins: the larger applies.
 */
export function effectiveLimits(base: TaskLimits, raise: BudgetRaise | undefined): TaskLimits {
  return {
    maxTokens: base.maxTokens > 0 ? Math.max(base.maxTokens, raise?.maxTokens ?? 0) : 0,
    maxCostUsd: base.maxCostUsd > 0 ? Math.max(base.maxCostUsd, raise?.maxCostUsd ?? 0) : 0,
  };
}

export function hasLimits(limits: TaskLimits): boolean {
  return limits.maxTokens > 0 || limits.maxCostUsd > 0;
}

/** What a task has spent: its root's subtree totals. */
export interface TaskSpend {
  tokens: number;
  /** Undefined when no agent of the task has a price. */
  costUsd: number | undefined;
}

export function spendOf(root: Pick<AgentSnapshot, "subtreeTokensIn" | "subtreeTokensOut" | "subtreeCostUsd">): TaskSpend {
  return { tokens: root.subtreeTokensIn + root.subtreeTokensOut, costUsd: root.subtreeCostUsd };
}

/** Why the task is over its budget, in words for the model and the user; undefined while within it. */
export function overBudget(limits: TaskLimits, spend: TaskSpend, raise: BudgetRaise | undefined): string | undefined {
  if (limits.maxTokens > 0 && spend.tokens >= limits.maxTokens) {
    const source = raise?.maxTokens === limits.maxTokens ? "raised from the agent tree" : "subagents.budget.maxTokensPerTask";
    return `this task has used ${spend.tokens} of its ${limits.maxTokens} tokens (${source})`;
  }
  if (limits.maxCostUsd > 0 && spend.costUsd !== undefined && spend.costUsd >= limits.maxCostUsd) {
    const source = raise?.maxCostUsd === limits.maxCostUsd ? "raised from the agent tree" : "subagents.budget.maxCostPerTask";
    return `this task has spent $${spend.costUsd.toFixed(4)} of its $${limits.maxCostUsd} budget (${source})`;
  }
  return undefined;
}

/** What an agent that was told to wrap up hears when the user raises the budget and the task is within it again. */
export function budgetRaisedNote(limits: TaskLimits): string {
  return `[system] The user raised this task's budget (now ${describeLimits(limits)}). You may continue the work, and start subagents again if the task needs them.`;
}

function describeLimits(limits: TaskLimits): string {
  const parts: string[] = [];
  if (limits.maxTokens > 0) parts.push(`${limits.maxTokens} tokens`);
  if (limits.maxCostUsd > 0) parts.push(`$${limits.maxCostUsd}`);
  return parts.join(" and ");
}

/**
 * Checks a new limit of `kind` for a task: the setting of that kind must be
 * on, and the value a finite number above both the current limit and what is
 * spent (a raise that left the task over budget would change nothing). The
 * Error's message is fit for the user.
 */
export function checkRaise(kind: BudgetKind, value: number, limits: TaskLimits, spend: TaskSpend): void {
  const tokens = kind === "maxTokens";
  const current = limits[kind];
  if (current === 0) {
    throw new Error(
      tokens
        ? "This task has no token budget (subagents.budget.maxTokensPerTask is 0), so there is nothing to raise."
        : "This task has no cost budget (subagents.budget.maxCostPerTask is 0), so there is nothing to raise.",
    );
  }
  if (!Number.isFinite(value) || (tokens && !Number.isInteger(value))) {
    throw new Error(tokens ? `A token budget is a whole number; got ${value}.` : `A cost budget is a number of US dollars; got ${value}.`);
  }
  // The settings' own bounds: a raise cannot go where a setting could not.
  const max = tokens ? MAX_TASK_TOKENS : MAX_TASK_COST_USD;
  if (value > max) throw new Error(`A ${tokens ? "token" : "cost"} budget is at most ${tokens ? max : `$${max}`}; got ${value}.`);
  const spent = tokens ? spend.tokens : (spend.costUsd ?? 0);
  const floor = Math.max(current, spent);
  if (value <= floor) {
    const what = tokens ? `${floor} tokens` : `$${Number(floor.toFixed(4))}`;
    const why = spent >= current ? "what the task has already spent" : "the current limit";
    throw new Error(`The new budget must be more than ${what} (${why}); got ${tokens ? value : `$${value}`}.`);
  }
}
