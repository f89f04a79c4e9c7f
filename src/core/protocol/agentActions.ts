import * as z from "zod";
import { isFinal } from "../agents/status";
import type { AgentSnapshot } from "./agentSnapshot";
import { agentIdSchema, EXTEND_TIMEOUT_SECONDS, requestIdSchema, type WebviewToHostMessage } from "./messages";
import { showInvisibles } from "./visibleText";

/**
 * Per-agent controls. The row's buttons, the detail pane and VS Code's native
 * context menu of a row (package.json `menus.webview/context`) all offer
 * these, and each one ends as the same webview message, so the three ways in
 * share one path through the host.
 */
export const AGENT_ACTION_IDS = [
  "approve",
  "deny",
  "interrupt",
  "extendTimeout",
  "setTimeout",
  "removeTimeout",
  "raiseBudget",
  "sendMessage",
  "openTranscript",
  "copyResult",
  "reviewChanges",
  "revertChanges",
  "keepChanges",
  "mergeWorktree",
  "discardWorktree",
] as const;
export type AgentActionId = (typeof AGENT_ACTION_IDS)[number];

export function isAgentActionId(value: unknown): value is AgentActionId {
  return typeof value === "string" && (AGENT_ACTION_IDS as readonly string[]).includes(value);
}

/** A pending command longer than this (as shown) is approved from the detail pane, where it is shown whole. */
export const ROW_APPROVAL_CHARS = 100;

/**
 * Whether a pending request is too long, spans lines, or is a file change
 * with a diff: then the row and the context menu cannot show all of it, so
 * they offer only Deny, and Approve waits in the detail pane next to the
 * whole text.
 */
export function approvalNeedsReview(agent: AgentSnapshot): boolean {
  const pending = agent.pendingApproval;
  if (pending === undefined) return false;
  return pending.diff !== undefined || /[\r\n]/.test(pending.command) || showInvisibles(pending.command).length > ROW_APPROVAL_CHARS;
}

/** Controls that make sense for the agent as the view knows it; the host checks again. */
/** The root of a task with a budget: the one agent whose budget can be raised (a budget belongs to the whole task). */
export function isBudgetRoot(agent: Pick<AgentSnapshot, "parentId" | "budget">): boolean {
  return agent.parentId === null && agent.budget !== undefined;
}

export function availableActions(agent: AgentSnapshot): AgentActionId[] {
  const live = !isFinal(agent.status);
  const hasLimit = agent.timeoutAt !== undefined;
  const changed = (agent.subtreeChangedFiles ?? 0) > 0;
  const available: Record<AgentActionId, boolean> = {
    approve: live && agent.pendingApproval !== undefined,
    deny: live && agent.pendingApproval !== undefined,
    interrupt: live,
    extendTimeout: live && hasLimit,
    setTimeout: live,
    removeTimeout: live && hasLimit && agent.timeoutRemovable,
    // Finished roots too: after a raise, a message resumes a task that stopped at its budget.
    raiseBudget: isBudgetRoot(agent),
    sendMessage: true,
    openTranscript: true,
    copyResult: agent.result !== undefined || agent.error !== undefined,
    reviewChanges: changed,
    revertChanges: changed,
    keepChanges: changed,
    // Only once the agent stopped: merging or removing a worktree under a running agent would lose its work.
    mergeWorktree: !live && agent.worktree !== undefined,
    discardWorktree: !live && agent.worktree !== undefined,
  };
  return AGENT_ACTION_IDS.filter((id) => available[id]);
}

/** What an action does: a message to the host, or an input the user fills in first (in the view). */
export type ActionEffect =
  | { readonly kind: "post"; readonly message: WebviewToHostMessage }
  | { readonly kind: "prompt"; readonly prompt: "timeout" | "message" };

/**
 * `requestId` is the approval the user saw when they chose the action (a menu
 * opened a while ago); it defaults to the agent's pending one.
 */
export function actionEffect(action: AgentActionId, agent: AgentSnapshot, requestId = agent.pendingApproval?.requestId): ActionEffect {
  const agentId = agent.id;
  switch (action) {
    case "approve":
    case "deny":
      return {
        kind: "post",
        message: { type: "resolveApproval", agentId, requestId: requestId ?? "", decision: action === "approve" ? "approved" : "denied" },
      };
    case "interrupt":
      return { kind: "post", message: { type: "interrupt", agentId } };
    case "extendTimeout":
      return { kind: "post", message: { type: "extendTimeout", agentId, seconds: EXTEND_TIMEOUT_SECONDS } };
    case "setTimeout":
      return { kind: "prompt", prompt: "timeout" };
    case "removeTimeout":
      return { kind: "post", message: { type: "setTimeout", agentId, seconds: null } };
    case "raiseBudget":
      return { kind: "post", message: { type: "raiseBudget", agentId } };
    case "sendMessage":
      return { kind: "prompt", prompt: "message" };
    case "openTranscript":
      return { kind: "post", message: { type: "openTranscript", agentId } };
    case "copyResult":
      return { kind: "post", message: { type: "copyResult", agentId } };
    // From a row, the agent's whole subtree: for a leaf that is its own changes.
    case "reviewChanges":
      return { kind: "post", message: { type: "reviewChanges", agentId } };
    case "revertChanges":
      return { kind: "post", message: { type: "revertChanges", agentId, scope: "subtree" } };
    case "keepChanges":
      return { kind: "post", message: { type: "keepChanges", agentId, scope: "subtree" } };
    case "mergeWorktree":
      return { kind: "post", message: { type: "mergeWorktree", agentId } };
    case "discardWorktree":
      return { kind: "post", message: { type: "discardWorktree", agentId } };
  }
}

// ---------------------------------------------------------------- native context menu

/** `webviewSection` of an agent row in `data-vscode-context`; package.json's `when` clauses test it. */
export const AGENT_ROW_SECTION = "agentRow";

/** The context key that says whether `action` applies to the row (`subagents.can.interrupt`, …). */
export function actionContextKey(action: AgentActionId): string {
  return `subagents.can.${action}`;
}

/** The command a row's native context menu runs for `action` (`subagents.agent.interrupt`, …). */
export function actionCommandId(action: AgentActionId): string {
  return `subagents.agent.${action}`;
}

/**
 * What a row puts into `data-vscode-context`. VS Code turns its keys into
 * context keys for the menu's `when` clauses and passes the object to the
 * chosen command, which reads `agentId` (and `requestId` for approvals).
 */
export function agentRowContext(agent: AgentSnapshot): Record<string, string | boolean> {
  const context: Record<string, string | boolean> = { webviewSection: AGENT_ROW_SECTION, agentId: agent.id };
  if (agent.pendingApproval) context["requestId"] = agent.pendingApproval.requestId;
  const available = new Set(availableActions(agent));
  // The menu does not show the command: a request that needs review is approved in the detail pane.
  if (approvalNeedsReview(agent)) available.delete("approve");
  for (const action of AGENT_ACTION_IDS) context[actionContextKey(action)] = available.has(action);
  return context;
}

/**
 * The argument a menu command receives. It comes from the page's DOM, so it
 * is parsed like any other message from the webview; extra keys (VS Code adds
 * `webview`, and the context keys) are ignored.
 */
export const agentRowContextSchema = z.object({
  agentId: agentIdSchema,
  requestId: requestIdSchema.optional(),
});
export type AgentRowContext = z.infer<typeof agentRowContextSchema>;
