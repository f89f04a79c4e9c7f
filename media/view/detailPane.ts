import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";
import { agentRowContext, availableActions, type AgentActionId } from "../../src/core/protocol/agentActions";
import { AGENT_ACTION_LOOK } from "../model/agentActions";
import type { AgentStore } from "../model/agentStore";
import { STATUS_LOOK, formatCostLine, formatElapsed, formatRemaining, formatTokens } from "../model/format";
import { codicon, el, iconButton } from "./dom";
import { formatBudgetLine } from "../model/budget";
import { renderMarkdown } from "./markdown";
import { changedFilesSection, fileActionMessage, worktreeSection } from "./changedFiles";
import type { WebviewToHostMessage } from "../../src/core/protocol/messages";
import { showInvisibles } from "../../src/core/protocol/visibleText";
import { compactedLabel } from "./row";

export interface DetailPaneCallbacks {
  readonly onAction: (action: AgentActionId, id: string, button: HTMLElement) => void;
  readonly onClose: () => void;
  /** A button of the changed-files list: open a diff, revert or keep. */
  readonly onPost: (message: WebviewToHostMessage) => void;
}

/**
 * Everything about the selected agent: task, status reason, result or error
 * (sanitised Markdown), recent tool calls, tokens, their cost when the model
 * has a configured price, and every control as a labelled button. Rebuilt
 * only when the agent's copy changes; the clock fields tick in place.
 */
export class DetailPane {
  readonly element: HTMLElement;
  private shown: AgentSnapshot | undefined;

  constructor(
    private readonly store: AgentStore,
    private readonly callbacks: DetailPaneCallbacks,
  ) {
    this.element = el("section", { className: "detail", attrs: { "aria-label": "Agent details" } });
    this.element.hidden = true;
    this.element.addEventListener("click", (event) => {
      const fileButton = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button[data-file-action]") : null;
      const message = fileButton && this.shown ? fileActionMessage(fileButton, this.shown.id) : undefined;
      if (message) {
        this.callbacks.onPost(message);
        return;
      }
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button[data-action]") : null;
      const action = button?.dataset["action"];
      if (!button || !this.shown) return;
      if (action === "close") this.callbacks.onClose();
      else if (action) this.callbacks.onAction(action as AgentActionId, this.shown.id, button);
    });
  }

  /** Shows the agent (or hides the pane); cheap when nothing changed. */
  update(agent: AgentSnapshot | undefined, now: number): void {
    if (agent === this.shown) return;
    const focusedAction = this.element.contains(document.activeElement)
      ? (document.activeElement as HTMLElement).dataset["action"]
      : undefined;
    this.shown = agent;
    this.element.hidden = agent === undefined;
    if (!agent) {
      this.element.replaceChildren();
      delete this.element.dataset["vscodeContext"];
      return;
    }
    // Right-clicking the pane offers its agent's actions, like its row, plus Copy for selected text.
    this.element.dataset["vscodeContext"] = JSON.stringify({ ...agentRowContext(agent), preventDefaultContextMenuItems: false });
    this.element.replaceChildren(...this.build(agent, now));
    if (focusedAction) this.element.querySelector<HTMLElement>(`button[data-action="${focusedAction}"]`)?.focus();
  }

  tick(now: number): void {
    const agent = this.shown;
    if (!agent) return;
    const elapsed = this.element.querySelector(".detail-elapsed");
    if (elapsed) elapsed.textContent = formatElapsed(this.store.elapsedAt(agent, now));
    const remaining = this.store.remainingAt(agent, now);
    const timeout = this.element.querySelector(".detail-timeout");
    if (timeout && remaining !== undefined) timeout.textContent = timeoutText(agent, remaining);
    const queued = this.store.queuedAt(agent, now);
    const queuedCell = this.element.querySelector(".detail-queued");
    if (queuedCell && queued !== undefined) queuedCell.textContent = formatElapsed(queued);
  }

  private build(agent: AgentSnapshot, now: number): Node[] {
    const look = STATUS_LOOK[agent.status];
    const header = el(
      "div",
      { className: "detail-header" },
      codicon(look.icon, `status-icon status-${agent.status}${look.spin ? " codicon-modifier-spin" : ""}`),
      el("h2", { className: "detail-name" }, agent.name),
      el("span", { className: `detail-status status-${agent.status}` }, look.label),
      iconButton({ icon: "close", ariaLabel: "Hide details", dataset: { action: "close" } }),
    );
    const actions = el("div", { className: "detail-actions", attrs: { role: "group", "aria-label": `Actions for ${agent.name}` } });
    for (const action of availableActions(agent)) {
      const actionLook = AGENT_ACTION_LOOK[action];
      actions.append(
        iconButton({
          icon: actionLook.icon,
          ariaLabel: actionLook.ariaLabel(agent.name),
          text: actionLook.label,
          className: `action-${action}`,
          dataset: { action },
        }),
      );
    }
    const nodes: Node[] = [header];
    if (agent.statusReason) nodes.push(el("p", { className: "detail-reason" }, agent.statusReason));
    if (agent.pendingApproval) {
      nodes.push(
        el(
          "div",
          { className: "detail-approval", attrs: { role: "note" } },
          el("strong", {}, agent.pendingApproval.diff !== undefined ? "Change awaiting approval" : "Command awaiting approval"),
          el("pre", {}, el("code", {}, showInvisibles(agent.pendingApproval.command))),
          agent.pendingApproval.cwd ? el("div", { className: "muted" }, `in ${agent.pendingApproval.cwd}`) : null,
          agent.pendingApproval.diff !== undefined
            ? el("pre", { className: "detail-approval-diff" }, el("code", {}, showInvisibles(agent.pendingApproval.diff)))
            : null,
        ),
      );
    }
    nodes.push(actions, this.facts(agent, now));
    for (const section of [changedFilesSection(agent), worktreeSection(agent)]) if (section) nodes.push(section);
    nodes.push(this.markdownSection("Task", agent.task, "detail-task"));
    if (agent.error !== undefined) nodes.push(this.markdownSection("Error", agent.error, "detail-error"));
    if (agent.result !== undefined) nodes.push(this.markdownSection("Result", agent.result, "detail-result"));
    if (agent.recentTools && agent.recentTools.length > 0) nodes.push(this.recentTools(agent.recentTools));
    return nodes;
  }

  private facts(agent: AgentSnapshot, now: number): HTMLElement {
    const remaining = this.store.remainingAt(agent, now);
    const rows: Array<[string, Node | string]> = [
      ["Model", `${agent.providerId}:${agent.model}${agent.effort !== undefined ? ` · ${agent.effort} reasoning effort` : ""}`],
      ["Role", `${agent.role}${agent.background ? " · background" : ""}${agent.agentType ? ` · ${agent.agentType}` : ""}`],
      ["Elapsed", el("span", { className: "detail-elapsed" }, formatElapsed(this.store.elapsedAt(agent, now)))],
    ];
    // Queueing is shown apart from the timeout because it does not count against it.
    const queued = this.store.queuedAt(agent, now);
    if (queued !== undefined) rows.push(["Queued", el("span", { className: "detail-queued" }, formatElapsed(queued))]);
    rows.push(
      [
        "Timeout",
        remaining === undefined
          ? "no limit"
          : el("span", { className: "detail-timeout" }, timeoutText(agent, remaining)),
      ],
      ["Tokens", `${formatTokens(agent.tokensIn)} in · ${formatTokens(agent.tokensOut)} out`],
      ["Subtree", `${formatTokens(agent.subtreeTokensIn)} in · ${formatTokens(agent.subtreeTokensOut)} out`],
    );
    const budget = formatBudgetLine(agent);
    if (budget !== undefined) {
      const reached = agent.budget?.reached === true;
      rows.push([
        "Budget",
        el(
          "span",
          { className: `detail-budget${reached ? " reached" : ""}` },
          budget,
          reached ? el("strong", { className: "detail-budget-reached" }, " · reached: no new subagents, agents told to wrap up") : null,
        ),
      ]);
    }
    const cached = formatCachedLine(agent);
    if (cached !== undefined) rows.push(["Cached input", el("span", { className: "detail-cached" }, cached)]);
    const cost = formatCostLine(agent.costUsd, agent.subtreeCostUsd);
    if (cost !== undefined) rows.push(["Cost", el("span", { className: "detail-cost" }, cost)]);
    rows.push(["Tool calls", String(agent.toolCount)]);
    if (agent.resumedAfterReload) rows.push(["Reload", el("span", { className: "detail-resumed" }, "resumed after reload")]);
    if (agent.compactions !== undefined) rows.push(["Context", el("span", { className: "detail-compacted" }, compactedLabel(agent.compactions))]);
    if (agent.currentTool) rows.push(["Current tool", agent.currentTool]);
    else if (agent.lastEvent) rows.push(["Last event", agent.lastEvent]);
    if (agent.keyFingerprint) rows.push(["API key", agent.keyFingerprint]);
    if (agent.stale) rows.push(["Progress", "stale: no progress for a while"]);
    const list = el("dl", { className: "detail-facts" });
    for (const [term, value] of rows) list.append(el("dt", {}, term), el("dd", {}, value));
    return list;
  }

  private markdownSection(title: string, source: string, className: string): HTMLElement {
    return el(
      "section",
      { className: `detail-section ${className}` },
      el("h3", {}, title),
      el("div", { className: "markdown" }, renderMarkdown(source)),
    );
  }

  private recentTools(tools: NonNullable<AgentSnapshot["recentTools"]>): HTMLElement {
    const list = el("ul", { className: "detail-tools" });
    for (const tool of tools) {
      const state = tool.ok === undefined ? "running" : tool.ok ? "ok" : "failed";
      const icon = state === "running" ? "loading" : state === "ok" ? "pass" : "error";
      list.append(
        el(
          "li",
          { className: `tool tool-${state}` },
          codicon(icon, state === "running" ? "codicon-modifier-spin" : ""),
          el("span", { className: "tool-name" }, tool.name),
          el("span", { className: "visually-hidden" }, state === "failed" ? " failed" : state === "running" ? " running" : " ok"),
          el("span", { className: "tool-preview" }, tool.preview),
        ),
      );
    }
    return el("section", { className: "detail-section" }, el("h3", {}, "Recent tool calls"), list);
  }
}

function timeoutText(agent: AgentSnapshot, remaining: number): string {
  const left = `${formatRemaining(remaining)} left`;
  return agent.timeoutPausedLeftMs !== undefined ? `${left} (paused until it runs)` : left;
}

/** Prompt-cache hits of the agent and its subtree: tokens and share of input; undefined when nothing was cached. */
export function formatCachedLine(agent: Pick<AgentSnapshot, "tokensIn" | "cachedTokensIn" | "subtreeTokensIn" | "subtreeCachedTokensIn">): string | undefined {
  const subtree = agent.subtreeCachedTokensIn ?? 0;
  if (subtree === 0) return undefined;
  const share = (part: number, whole: number) => `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;
  const own = agent.cachedTokensIn ?? 0;
  return `${formatTokens(own)} (${share(own, agent.tokensIn)} of input) · subtree ${formatTokens(subtree)} (${share(subtree, agent.subtreeTokensIn)})`;
}
