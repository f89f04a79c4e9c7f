import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { checkRaise, spendOf, type BudgetKind, type TaskLimits } from "../../core/agents/taskLimits";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";
import { isBudgetRoot } from "../../core/protocol/agentActions";
import { agentIdArgument } from "./agentCommands";
import { STATUS_ICONS } from "./agentPicks";

const MULTIPLIERS: Readonly<Record<string, number>> = { "": 1, k: 1_000, m: 1_000_000 };

/**
 * Reads a limit typed by the user: tokens as a whole number, with `k`/`M`
 * and thousands separators allowed (`250k`, `1.5M`, `250,000`); USD with an
 * optional `$`. Returns the number, or what is wrong with the text.
 */
export function parseBudgetInput(text: string, kind: BudgetKind): number | string {
  const plain = text.trim().replace(/[,_\s]/g, "");
  if (kind === "maxCostUsd") {
    const match = /^\$?(\d+(?:\.\d+)?|\.\d+)$/.exec(plain);
    return match?.[1] !== undefined ? Number(match[1]) : "Type an amount in US dollars, e.g. 5 or $2.50.";
  }
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(plain);
  if (match?.[1] === undefined) return "Type a number of tokens, e.g. 500000, 500k or 1.5M.";
  const value = Number(match[1]) * (MULTIPLIERS[(match[2] ?? "").toLowerCase()] ?? 1);
  return Number.isInteger(value) ? value : "A token budget is a whole number of tokens.";
}

/** The message of what is wrong with `text` as the new limit, or undefined when it is fine. */
export function budgetInputProblem(text: string, kind: BudgetKind, root: AgentSnapshot): string | undefined {
  const value = parseBudgetInput(text, kind);
  if (typeof value === "string") return value;
  try {
    checkRaise(kind, value, limitsOf(root), spendOf(root));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function limitsOf(root: AgentSnapshot): TaskLimits {
  return { maxTokens: root.budget?.maxTokens ?? 0, maxCostUsd: root.budget?.maxCostUsd ?? 0 };
}

/** "7,500 of 10,000 tokens" / "$0.25 of $1.00": one kind of a task's spend against its limit. */
function spendText(root: AgentSnapshot, kind: BudgetKind): string {
  const spend = spendOf(root);
  if (kind === "maxTokens") return `${spend.tokens.toLocaleString("en-US")} of ${(root.budget?.maxTokens ?? 0).toLocaleString("en-US")} tokens`;
  return `$${(spend.costUsd ?? 0).toFixed(2)} of $${(root.budget?.maxCostUsd ?? 0).toFixed(2)}`;
}

function kindsOf(root: AgentSnapshot): BudgetKind[] {
  const kinds: BudgetKind[] = [];
  if (root.budget?.maxTokens !== undefined) kinds.push("maxTokens");
  if (root.budget?.maxCostUsd !== undefined) kinds.push("maxCostUsd");
  return kinds;
}

async function pickRoot(supervisor: UserControls, arg: unknown): Promise<AgentSnapshot | undefined> {
  const agentId = agentIdArgument(arg);
  if (agentId !== undefined) {
    const agent = supervisor.get(agentId);
    if (!agent) void vscode.window.showWarningMessage("Subagents: that agent no longer exists.");
    else if (!isBudgetRoot(agent)) {
      void vscode.window.showWarningMessage(
        agent.parentId !== null
          ? `Subagents: ${agent.name} is a subagent; a budget belongs to a whole task, so raise it on the task's root agent.`
          : `Subagents: the task of ${agent.name} has no budget. Set subagents.budget.maxTokensPerTask or maxCostPerTask in your user settings.`,
      );
      return undefined;
    }
    return agent;
  }
  const roots = supervisor.snapshot().filter(isBudgetRoot);
  if (roots.length === 0) {
    void vscode.window.showInformationMessage(
      "Subagents: no task has a budget. Set subagents.budget.maxTokensPerTask or maxCostPerTask in your user settings to give tasks one.",
    );
    return undefined;
  }
  const items = roots.map((root) => ({
    label: `${STATUS_ICONS[root.status]} ${root.name}`,
    description: `${root.budget?.reached ? "budget reached · " : ""}${kindsOf(root).map((kind) => spendText(root, kind)).join(" · ")}`,
    agentId: root.id,
  }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: "Raise the budget of which task?", matchOnDescription: true });
  return picked ? supervisor.get(picked.agentId) : undefined;
}

async function pickKind(root: AgentSnapshot): Promise<BudgetKind | undefined> {
  const kinds = kindsOf(root);
  if (kinds.length <= 1) return kinds[0];
  const picked = await vscode.window.showQuickPick(
    kinds.map((kind) => ({ label: kind === "maxTokens" ? "Tokens" : "Cost (USD)", description: spendText(root, kind), limit: kind })),
    { placeHolder: `Raise which limit of ${root.name}?` },
  );
  return picked?.limit;
}

/**
 * Subagents: Raise Task Budget… — from the palette (asks which task), or
 * with a root's id from the tree's button and context menu. Asks for the new
 * limit in an input box checked by the same rule the supervisor applies.
 */
export async function raiseBudget(supervisor: UserControls, arg?: unknown): Promise<void> {
  const root = await pickRoot(supervisor, arg);
  if (!root) return;
  const kind = await pickKind(root);
  if (!kind) return;
  const tokens = kind === "maxTokens";
  const text = await vscode.window.showInputBox({
    title: `Raise the budget of ${root.name}`,
    prompt: `${tokens ? "Tokens" : "US dollars"} this task may use in all (now ${spendText(root, kind)}). Applies to this task only, not to the setting.`,
    value: suggestedLimit(root, kind),
    // The tree may have moved on since the box opened: check against the latest spend.
    validateInput: (value) => budgetInputProblem(value, kind, supervisor.get(root.id) ?? root),
  });
  if (text === undefined) return;
  const value = parseBudgetInput(text, kind);
  if (typeof value === "string") return;
  try {
    supervisor.raiseBudget(root.id, kind, value);
  } catch (error) {
    void vscode.window.showErrorMessage(`Subagents: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  void vscode.window.showInformationMessage(`Subagents: the budget of ${root.name} is now ${tokens ? `${value.toLocaleString("en-US")} tokens` : `$${value}`}.`);
}

/** Twice the current limit, or twice the spend when that is higher: a starting point the user edits. */
function suggestedLimit(root: AgentSnapshot, kind: BudgetKind): string {
  const spend = spendOf(root);
  const base = Math.max(limitsOf(root)[kind], kind === "maxTokens" ? spend.tokens : (spend.costUsd ?? 0));
  return kind === "maxTokens" ? String(Math.ceil(base * 2)) : String(Math.ceil(base * 2 * 100) / 100);
}
