import { isFinal } from "../../src/core/agents/status";
import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";
import { EXTEND_TIMEOUT_SECONDS, type WebviewToHostMessage } from "../../src/core/protocol/messages";
import { showInvisibles } from "../../src/core/protocol/visibleText";

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

/** Per-agent controls; rows, the context menu and the detail pane all offer these. */
export const AGENT_ACTION_IDS = [
  "approve",
  "deny",
  "interrupt",
  "extendTimeout",
  "setTimeout",
  "removeTimeout",
  "sendMessage",
  "openTranscript",
  "copyResult",
] as const;
export type AgentActionId = (typeof AGENT_ACTION_IDS)[number];

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
  sendMessage: { label: "Send Message…", ariaLabel: (n) => `Send message to ${n}`, icon: "comment-discussion" },
  openTranscript: { label: "Open Transcript", ariaLabel: (n) => `Open transcript of ${n}`, icon: "output" },
  copyResult: { label: "Copy Result", ariaLabel: (n) => `Copy result of ${n}`, icon: "copy" },
};

/** Controls that make sense for the agent as the view knows it; the host checks again. */
export function availableActions(agent: AgentSnapshot): AgentActionId[] {
  const live = !isFinal(agent.status);
  const hasLimit = agent.timeoutAt !== undefined;
  const available: Record<AgentActionId, boolean> = {
    approve: live && agent.pendingApproval !== undefined,
    deny: live && agent.pendingApproval !== undefined,
    interrupt: live,
    extendTimeout: live && hasLimit,
    setTimeout: live,
    removeTimeout: live && hasLimit && agent.timeoutRemovable,
    sendMessage: true,
    openTranscript: true,
    copyResult: agent.result !== undefined || agent.error !== undefined,
  };
  return AGENT_ACTION_IDS.filter((id) => available[id]);
}

/**
 * The few controls shown on the row itself; the rest are in the context menu and detail pane.
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

/** What an action does: a message to the host, or an input the user fills in first. */
export type ActionEffect =
  | { readonly kind: "post"; readonly message: WebviewToHostMessage }
  | { readonly kind: "prompt"; readonly prompt: "timeout" | "message" };

export function actionEffect(action: AgentActionId, agent: AgentSnapshot): ActionEffect {
  const agentId = agent.id;
  switch (action) {
    case "approve":
    case "deny":
      return {
        kind: "post",
        message: {
          type: "resolveApproval",
          agentId,
          requestId: agent.pendingApproval?.requestId ?? "",
          decision: action === "approve" ? "approved" : "denied",
        },
      };
    case "interrupt":
      return { kind: "post", message: { type: "interrupt", agentId } };
    case "extendTimeout":
      return { kind: "post", message: { type: "extendTimeout", agentId, seconds: EXTEND_TIMEOUT_SECONDS } };
    case "setTimeout":
      return { kind: "prompt", prompt: "timeout" };
    case "removeTimeout":
      return { kind: "post", message: { type: "setTimeout", agentId, seconds: null } };
    case "sendMessage":
      return { kind: "prompt", prompt: "message" };
    case "openTranscript":
      return { kind: "post", message: { type: "openTranscript", agentId } };
    case "copyResult":
      return { kind: "post", message: { type: "copyResult", agentId } };
  }
}
