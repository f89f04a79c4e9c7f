import { approvalNeedsReview, availableActions, type AgentActionId } from "../../src/core/protocol/agentActions";
import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";
import { EXTEND_TIMEOUT_SECONDS } from "../../src/core/protocol/messages";

/** How each per-agent control looks in the view; package.json's menu titles are the same labels (a unit test checks). */
export interface AgentActionLook {
  /** Menu and detail-pane text. */
  readonly label: string;
  /** Accessible name of a button that acts on `name`. */
  readonly ariaLabel: (name: string) => string;
  readonly icon: string;
}

export const AGENT_ACTION_LOOK: Readonly<Record<AgentActionId, AgentActionLook>> = {
  approve: { label: "Approve Command", ariaLabel: (n) => `Approve command of ${n}`, icon: "check" },
  deny: { label: "Deny Command", ariaLabel: (n) => `Deny command of ${n}`, icon: "close" },
  interrupt: { label: "Interrupt", ariaLabel: (n) => `Interrupt ${n}`, icon: "debug-stop" },
  extendTimeout: {
    label: `Extend Timeout by ${EXTEND_TIMEOUT_SECONDS / 60} Minutes`,
    ariaLabel: (n) => `Extend timeout of ${n}`,
    icon: "add",
  },
  setTimeout: { label: "Set Timeout…", ariaLabel: (n) => `Set timeout of ${n}`, icon: "watch" },
  removeTimeout: { label: "Remove Time Limit", ariaLabel: (n) => `Remove timeout of ${n}`, icon: "circle-slash" },
  raiseBudget: { label: "Raise Budget…", ariaLabel: (n) => `Raise the task budget of ${n}`, icon: "arrow-up" },
  sendMessage: { label: "Send Message…", ariaLabel: (n) => `Send message to ${n}`, icon: "comment-discussion" },
  openTranscript: { label: "Open Transcript", ariaLabel: (n) => `Open transcript of ${n}`, icon: "output" },
  copyResult: { label: "Copy Result", ariaLabel: (n) => `Copy result of ${n}`, icon: "copy" },
  reviewChanges: { label: "Review Changes…", ariaLabel: (n) => `Review file changes of ${n} and its subagents`, icon: "diff" },
  revertChanges: { label: "Revert Changes", ariaLabel: (n) => `Revert file changes of ${n} and its subagents`, icon: "discard" },
  keepChanges: { label: "Keep Changes", ariaLabel: (n) => `Keep file changes of ${n} and its subagents`, icon: "check-all" },
  mergeWorktree: { label: "Merge Worktree", ariaLabel: (n) => `Merge the worktree of ${n} into the workspace`, icon: "git-merge" },
  discardWorktree: { label: "Discard Worktree", ariaLabel: (n) => `Discard the worktree of ${n}`, icon: "trash" },
};

/**
 * The few controls shown on the row itself; the rest are in the native context menu and the detail pane.
 * While a command waits for approval the row offers only the decision: those buttons stay
 * on screen beside the name, and a narrow sidebar has no room for more.
 */
export function rowActions(agent: AgentSnapshot): AgentActionId[] {
  const inline = new Set<AgentActionId>(
    agent.pendingApproval !== undefined
      ? ["approve", "deny"]
      : ["approve", "deny", "interrupt", "extendTimeout", "sendMessage", "openTranscript"],
  );
  return availableActions(agent).filter((id) => inline.has(id) && !(id === "approve" && approvalNeedsReview(agent)));
}
