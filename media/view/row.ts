import { agentRowContext, approvalNeedsReview } from "../../src/core/protocol/agentActions";
import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";
import { AGENT_ACTION_LOOK, rowActions } from "../model/agentActions";
import type { AgentStore, FlatRow } from "../model/agentStore";
import { STATUS_LOOK, formatElapsed, formatRemaining, formatTokenPair } from "../model/format";
import { codicon, el, iconButton } from "./dom";
import { budgetBadge } from "../model/budget";
import { showInvisibles } from "../../src/core/protocol/visibleText";

/** Fixed row height: virtualisation places rows by index × height. TreeView hands it to the CSS as `--row-height`. */
export const ROW_HEIGHT = 40;
const INDENT_PX = 14;

export interface RowFlags {
  readonly selected: boolean;
  readonly focused: boolean;
}

/** The accessible name of a row: "<name>, <status>", what a screen reader says first. */
export function rowLabel(agent: AgentSnapshot): string {
  return `${agent.name}, ${STATUS_LOOK[agent.status].label}`;
}

/**
 * The row's accessible description: what the row shows besides name and
 * status, so a screen reader user hears it without opening the details —
 * elapsed time, tokens (the subtree's total when the row is collapsed) and a
 * command waiting for approval.
 */
export function rowDescription(agent: AgentSnapshot, elapsedMs: number, subtreeTotal: boolean): string {
  const tokens = subtreeTotal
    ? `subtree total ${formatTokenPair(agent.subtreeTokensIn, agent.subtreeTokensOut).spoken}`
    : formatTokenPair(agent.tokensIn, agent.tokensOut).spoken;
  const parts = [`elapsed ${formatElapsed(elapsedMs)}`, tokens];
  const changed = changedFiles(agent, subtreeTotal);
  if (changed > 0) parts.push(`${subtreeTotal ? "subtree " : ""}changed ${changed} ${changed === 1 ? "file" : "files"}, under review`);
  const budget = budgetBadge(agent);
  if (budget) parts.push(budget.spoken);
  if (agent.pendingApproval) parts.push(`command waiting for approval: ${agent.pendingApproval.command}`);
  return parts.join("; ");
}

/** Files under review: the subtree's when the row stands for its subtree (collapsed), else the agent's own. */
export function changedFiles(agent: AgentSnapshot, subtreeTotal: boolean): number {
  return (subtreeTotal ? agent.subtreeChangedFiles : agent.changedFiles) ?? 0;
}

/** A collapsed parent shows its whole subtree's tokens. */
function subtreeTotal(flat: FlatRow): boolean {
  return flat.hasChildren && !flat.expanded;
}

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

function setAttr(node: HTMLElement, name: string, value: string | null): void {
  if (value === null) node.removeAttribute(name);
  else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/**
 * One treeitem. Its elements are built once and then updated field by field,
 * so a status change touches a few text nodes instead of rebuilding the row
 * (cheaper under 200 changes a second, and a running agent's spinner keeps
 * turning instead of restarting on every update).
 */
export class RowView {
  readonly element: HTMLDivElement;
  private readonly twisty = el("span", { className: "twisty codicon", attrs: { "aria-hidden": "true" } });
  private readonly icon = codicon("blank", "status-icon");
  private readonly name = el("span", { className: "name" });
  private readonly stale = el("span", { className: "badge stale", attrs: { title: "No progress for a while" } }, codicon("warning"), "stale");
  private readonly changes = el("span", { className: "badge changes" });
  private readonly budget = el("span", { className: "badge budget" });
  private readonly elapsed = el("span", { className: "elapsed", attrs: { title: "Elapsed time" } });
  private readonly controls = el("span", { className: "controls" });
  private readonly statusText = el("span", { className: "status-text" });
  private readonly model = el("span", { className: "model" });
  private readonly agentType = el("span", { className: "agent-type" });
  private readonly compacted = el("span", {
    className: "compacted",
    attrs: { title: "Its conversation was compacted to fit the model's context window; the transcript keeps every turn" },
  });
  private readonly activity = el("span", { className: "activity" });
  private readonly remainingValue = el("span", { className: "value" });
  private readonly remaining = el("span", { className: "remaining", attrs: { title: "Time left before the timeout" } }, codicon("watch"), this.remainingValue);
  private readonly tokens = el("span", { className: "tokens" });
  private readonly keyText = el("span");
  private readonly key = el("span", { className: "key", attrs: { title: "API key in use" } }, codicon("key"), this.keyText);
  private readonly line1: HTMLDivElement;
  private readonly line2: HTMLDivElement;
  private shownAgent: AgentSnapshot | undefined;
  private shownFlat: FlatRow | undefined;
  private controlsKey = "";
  private activityKey = "";
  private frameKey = "";

  constructor(readonly id: string) {
    this.line1 = el("div", { className: "line line1" }, this.twisty, this.icon, this.name, this.stale, this.changes, this.elapsed, this.controls);
    this.line2 = el(
      "div",
      { className: "line line2" },
      this.statusText,
      // Next to the status, where the hover controls of line 1 never cover it.
      this.budget,
      this.agentType,
      this.compacted,
      this.model,
      this.activity,
      this.remaining,
      this.tokens,
      this.key,
    );
    this.element = el("div", { className: "row", attrs: { role: "treeitem" } }, this.line1, this.line2);
    this.element.dataset["id"] = id;
  }

  get agent(): AgentSnapshot | undefined {
    return this.shownAgent;
  }

  /** Shows this agent at this place in the tree; does nothing if neither changed. */
  update(agent: AgentSnapshot, flat: FlatRow, store: AgentStore, now: number): void {
    if (agent === this.shownAgent && flat === this.shownFlat) return;
    this.shownAgent = agent;
    this.shownFlat = flat;
    const look = STATUS_LOOK[agent.status];
    const row = this.element;
    for (const status of Object.keys(STATUS_LOOK)) row.classList.toggle(`status-${status}`, status === agent.status);
    // Read by VS Code when the row's context menu opens: the `when` clauses of the menu's
    // entries in package.json, and the argument of the command the user picks.
    row.dataset["vscodeContext"] = JSON.stringify(agentRowContext(agent));

    const indent = (flat.level - 1) * INDENT_PX;
    this.line1.style.paddingLeft = `${indent}px`;
    this.line2.style.paddingLeft = `${indent + 36}px`;
    this.twisty.className = `twisty codicon${flat.hasChildren ? ` codicon-${flat.expanded ? "chevron-down" : "chevron-right"}` : ""}`;
    const iconClass = `codicon codicon-${look.icon} status-icon${look.spin ? " codicon-modifier-spin" : ""}`;
    if (this.icon.className !== iconClass) this.icon.className = iconClass;
    setText(this.name, agent.name);
    setAttr(this.name, "title", agent.task);
    this.stale.hidden = !agent.stale;
    setText(this.statusText, look.label);

    const approval = agent.pendingApproval;
    // A pending approval lays the row out differently (tree.css): its buttons take part in line 1,
    // and line 2 gives the command the room, dropping what does not fit (the detail pane has it all).
    row.classList.toggle("awaiting-approval", approval !== undefined);
    this.model.hidden = approval !== undefined;
    this.agentType.hidden = approval !== undefined || agent.agentType === undefined;
    setText(this.agentType, agent.agentType ?? "");
    setAttr(this.agentType, "title", agent.agentType === undefined ? null : `Agent type: ${agent.agentType}`);
    this.compacted.hidden = approval !== undefined || agent.compactions === undefined;
    setText(this.compacted, agent.compactions === undefined ? "" : compactedLabel(agent.compactions));
    setText(this.model, agent.model);
    setAttr(this.model, "title", `${agent.providerId}:${agent.model}`);
    this.updateActivity(agent);

    const showSubtree = subtreeTotal(flat);
    const tokens = showSubtree
      ? formatTokenPair(agent.subtreeTokensIn, agent.subtreeTokensOut)
      : formatTokenPair(agent.tokensIn, agent.tokensOut);
    setText(this.tokens, `${showSubtree ? "Σ " : ""}${tokens.text}`);
    setAttr(this.tokens, "title", showSubtree ? `Subtree total: ${tokens.spoken}` : tokens.spoken);
    const changed = changedFiles(agent, showSubtree);
    this.changes.hidden = changed === 0;
    setText(this.changes, `±${changed} ${changed === 1 ? "file" : "files"}`);
    setAttr(this.changes, "title", changed === 0 ? null : `${showSubtree ? "This agent and its subagents" : "This agent"} changed ${changed} ${changed === 1 ? "file" : "files"}; select it to review`);
    const budget = budgetBadge(agent);
    this.budget.hidden = budget === undefined || approval !== undefined;
    this.budget.classList.toggle("reached", budget?.reached === true);
    setText(this.budget, budget?.text ?? "");
    setAttr(this.budget, "title", budget === undefined ? null : `Task budget: ${budget.spoken}${budget.reached ? ". Select the task to raise it." : ""}`);
    this.key.hidden = agent.keyFingerprint === undefined;
    setText(this.keyText, agent.keyFingerprint ?? "");
    this.updateControls(agent);
    this.tick(store, now);
  }

  /** Position, ARIA state and tab stop; cheap when nothing changed. */
  frame(flat: FlatRow, index: number, flags: RowFlags): void {
    const agent = this.shownAgent;
    if (!agent) return;
    const key = `${index}|${flat.level}|${flat.posInSet}|${flat.setSize}|${flat.hasChildren ? String(flat.expanded) : "-"}|${flags.selected}|${flags.focused}|${rowLabel(agent)}`;
    if (key === this.frameKey) return;
    this.frameKey = key;
    const row = this.element;
    row.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    setAttr(row, "aria-level", String(flat.level));
    setAttr(row, "aria-posinset", String(flat.posInSet));
    setAttr(row, "aria-setsize", String(flat.setSize));
    setAttr(row, "aria-expanded", flat.hasChildren ? String(flat.expanded) : null);
    setAttr(row, "aria-selected", String(flags.selected));
    setAttr(row, "aria-label", rowLabel(agent));
    row.tabIndex = flags.focused ? 0 : -1;
    row.classList.toggle("selected", flags.selected);
    this.setButtonTabStops(flags.focused);
  }

  /** Updates the ticking texts (elapsed, time left) and the description that reads them out. */
  tick(store: AgentStore, now: number): void {
    const agent = this.shownAgent;
    if (!agent) return;
    const elapsedMs = store.elapsedAt(agent, now);
    setText(this.elapsed, formatElapsed(elapsedMs));
    setAttr(this.element, "aria-description", rowDescription(agent, elapsedMs, this.shownFlat !== undefined && subtreeTotal(this.shownFlat)));
    const remaining = store.remainingAt(agent, now);
    this.remaining.hidden = remaining === undefined;
    if (remaining !== undefined) setText(this.remainingValue, formatRemaining(remaining));
  }

  private updateActivity(agent: AgentSnapshot): void {
    const approval = agent.pendingApproval;
    const text = agent.currentTool ?? agent.lastEvent ?? "";
    const key = approval ? `approval\u0000${approval.command}` : `text\u0000${text}`;
    if (key === this.activityKey) return;
    this.activityKey = key;
    this.activity.classList.toggle("approval", approval !== undefined);
    if (approval) {
      // Invisible characters are shown escaped so that what is approved is what is seen.
      const shown = showInvisibles(approval.command);
      this.activity.replaceChildren(approvalNeedsReview(agent) ? "Review in details: " : "Approve? ", el("code", {}, shown));
      setAttr(this.activity, "title", shown);
    } else {
      this.activity.textContent = text;
      setAttr(this.activity, "title", text);
    }
  }

  private updateControls(agent: AgentSnapshot): void {
    const actions = rowActions(agent);
    const key = `${agent.name}\u0000${actions.join(",")}`;
    if (key === this.controlsKey) return;
    this.controlsKey = key;
    const active = document.activeElement;
    const focusedAction = active instanceof HTMLElement && this.controls.contains(active) ? active.dataset["action"] : undefined;
    const buttons = actions.map((action) => {
      const look = AGENT_ACTION_LOOK[action];
      return iconButton({ icon: look.icon, ariaLabel: look.ariaLabel(agent.name), title: look.label, className: `action-${action}`, dataset: { action } });
    });
    buttons.push(iconButton({ icon: "ellipsis", ariaLabel: `More actions for ${agent.name}`, title: "More Actions…", dataset: { action: "more" } }));
    this.controls.replaceChildren(...buttons);
    this.setButtonTabStops(this.element.tabIndex === 0);
    if (focusedAction !== undefined) {
      // The focused control went away (e.g. Interrupt after the agent ended): keep focus on the row.
      const same = this.controls.querySelector<HTMLElement>(`button[data-action="${focusedAction}"]`);
      (same ?? this.element).focus({ preventScroll: true });
    }
  }

  private setButtonTabStops(focused: boolean): void {
    for (const button of this.controls.querySelectorAll("button")) button.tabIndex = focused ? 0 : -1;
  }
}

/** "compacted ×N": how often the agent's conversation was compacted. */
export function compactedLabel(rounds: number): string {
  return `compacted ×${rounds}`;
}
