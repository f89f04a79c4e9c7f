import { isAgentActionId, type AgentActionId } from "../../src/core/protocol/agentActions";
import { elapsedAdvances, type AgentStore, type FlatRow } from "../model/agentStore";
import { treeKeyCommand } from "../model/treeKeys";
import type { ViewState } from "../model/viewState";
import { el } from "./dom";
import { ROW_HEIGHT, RowView } from "./row";

/** Rows rendered above and below the viewport, so fast scrolling does not show gaps. */
const OVERSCAN = 8;

export interface TreeViewCallbacks {
  readonly state: () => ViewState;
  readonly onFocus: (id: string) => void;
  readonly onSelect: (id: string) => void;
  readonly onSetExpanded: (id: string, expanded: boolean) => void;
  readonly onAction: (action: AgentActionId, id: string, button: HTMLElement) => void;
  readonly onScroll: (top: number) => void;
}

/**
 * The agent tree as an ARIA tree with virtualised rows: only rows in (or near)
 * the viewport exist in the DOM, placed absolutely by index, so 2,000 agents
 * cost the same to paint as 40. The focused row is always kept rendered so
 * keyboard focus survives scrolling. One listener per event type, delegated.
 */
export class TreeView {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLDivElement;
  private rows: readonly FlatRow[] = [];
  private indexById = new Map<string, number>();
  private readonly rendered = new Map<string, RowView>();
  private scrollFrame = 0;

  constructor(
    private readonly store: AgentStore,
    private readonly callbacks: TreeViewCallbacks,
  ) {
    this.canvas = el("div", { className: "tree-canvas" });
    this.element = el("div", { className: "tree", attrs: { role: "tree", "aria-label": "Agents" } }, this.canvas);
    // The CSS reads the height from here, so layout and virtualisation cannot disagree.
    this.element.style.setProperty("--row-height", `${ROW_HEIGHT}px`);
    this.element.addEventListener("click", (event) => this.onClick(event));
    this.element.addEventListener("keydown", (event) => this.onKeyDown(event));
    this.element.addEventListener("contextmenu", (event) => this.onContextMenu(event));
    this.element.addEventListener("focusin", (event) => this.onFocusIn(event));
    this.element.addEventListener("scroll", () => this.onScrollEvent(), { passive: true });
  }

  get rowCount(): number {
    return this.rows.length;
  }

  indexOf(id: string): number {
    return this.indexById.get(id) ?? -1;
  }

  rowIdAt(index: number): string | undefined {
    return this.rows[index]?.id;
  }

  setRows(rows: readonly FlatRow[]): void {
    this.rows = rows;
    this.indexById = new Map(rows.map((row, index) => [row.id, index]));
    this.canvas.style.height = `${rows.length * ROW_HEIGHT}px`;
  }

  /** Brings the rendered rows in line with the current rows, agents and state. */
  render(now: number): void {
    const state = this.callbacks.state();
    const height = this.element.clientHeight || ROW_HEIGHT * 30;
    const top = this.element.scrollTop;
    const start = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const end = Math.min(this.rows.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const wanted = new Map<string, number>();
    for (let index = start; index < end; index++) {
      const row = this.rows[index];
      if (row) wanted.set(row.id, index);
    }
    const focusedIndex = state.focusedId === null ? -1 : this.indexOf(state.focusedId);
    if (state.focusedId !== null && focusedIndex >= 0) wanted.set(state.focusedId, focusedIndex);

    for (const [id, view] of this.rendered) {
      if (!wanted.has(id) || !this.store.has(id)) {
        view.element.remove();
        this.rendered.delete(id);
      }
    }
    for (const [id, index] of wanted) {
      const flat = this.rows[index];
      const agent = this.store.get(id);
      if (!flat || !agent) continue;
      let view = this.rendered.get(id);
      if (!view) {
        view = new RowView(id);
        this.canvas.append(view.element);
        this.rendered.set(id, view);
      }
      view.update(agent, flat, this.store, now);
      view.frame(flat, index, { selected: state.selectedId === id, focused: state.focusedId === id });
    }
    // An empty tree still needs one tab stop.
    this.element.tabIndex = focusedIndex >= 0 ? -1 : 0;
  }

  /** Updates the ticking texts of rendered rows. */
  tick(now: number): void {
    for (const view of this.rendered.values()) {
      const agent = view.agent;
      if (agent && (elapsedAdvances(agent) || agent.timeoutAt !== undefined)) view.tick(this.store, now);
    }
  }

  /** Scrolls the row into view, renders it and gives it keyboard focus. */
  focusRow(id: string, now: number): void {
    const index = this.indexOf(id);
    if (index < 0) return;
    this.scrollIntoView(index);
    this.render(now);
    this.rendered.get(id)?.element.focus({ preventScroll: true });
  }

  /** Scrolls so the row is in view, without moving focus. */
  reveal(id: string): void {
    const index = this.indexOf(id);
    if (index >= 0) this.scrollIntoView(index);
  }

  rowElement(id: string): HTMLElement | undefined {
    return this.rendered.get(id)?.element;
  }

  /** Restores a saved scroll position (after reload). */
  scrollTo(top: number): void {
    this.element.scrollTop = top;
  }

  private scrollIntoView(index: number): void {
    const top = index * ROW_HEIGHT;
    const viewport = this.element.clientHeight;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    else if (top + ROW_HEIGHT > this.element.scrollTop + viewport) this.element.scrollTop = top + ROW_HEIGHT - viewport;
  }

  private rowOf(target: EventTarget | null): HTMLElement | null {
    return target instanceof Element ? target.closest<HTMLElement>(".row") : null;
  }

  private onClick(event: MouseEvent): void {
    const row = this.rowOf(event.target);
    const id = row?.dataset["id"];
    if (!row || id === undefined) return;
    const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button[data-action]") : null;
    const action = button?.dataset["action"];
    if (button && action === "more") {
      // VS Code opens a webview's native context menu on a `contextmenu` event that nobody
      // prevented, with the context of the element it was fired on: the row's.
      const rect = button.getBoundingClientRect();
      button.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: rect.left, clientY: rect.bottom }));
      return;
    }
    if (button && isAgentActionId(action)) {
      this.callbacks.onAction(action, id, button);
      return;
    }
    const flat = this.rows[this.indexOf(id)];
    const onTwisty = flat?.hasChildren === true && event.target instanceof Element && event.target.closest(".twisty") !== null;
    // The twisty only folds, as in VS Code's own trees; the rest of the row selects.
    if (onTwisty) this.callbacks.onSetExpanded(id, !flat.expanded);
    else this.callbacks.onSelect(id);
    this.callbacks.onFocus(id);
    row.focus({ preventScroll: true });
  }

  private onKeyDown(event: KeyboardEvent): void {
    const row = this.rowOf(event.target);
    if (event.target === this.element && this.rows[0] && /^(ArrowDown|ArrowUp|Home|End)$/.test(event.key)) {
      event.preventDefault();
      const id = event.key === "End" || event.key === "ArrowUp" ? this.rows[this.rows.length - 1]?.id : this.rows[0].id;
      if (id !== undefined) this.moveFocus(id);
      return;
    }
    // Keys on a row's buttons belong to the buttons (Enter/Space press them).
    if (!row || row !== event.target) return;
    const id = row.dataset["id"] ?? "";
    const pageSize = Math.max(1, Math.floor(this.element.clientHeight / ROW_HEIGHT));
    const command = treeKeyCommand(event, this.rows, this.indexOf(id), pageSize);
    if (command.type === "none") return;
    event.preventDefault();
    switch (command.type) {
      case "focus": {
        const target = this.rows[command.index];
        if (target) this.moveFocus(target.id);
        break;
      }
      case "expand":
      case "collapse":
        this.callbacks.onSetExpanded(command.id, command.type === "expand");
        break;
      case "select":
        this.callbacks.onSelect(command.id);
        break;
    }
  }

  private moveFocus(id: string): void {
    this.callbacks.onFocus(id);
    this.focusRow(id, Date.now());
  }

  /**
   * A right click, Shift+F10 or the context-menu key on a row: the row takes
   * focus (as in VS Code's own trees) and the event goes on, unprevented, to
   * VS Code, which shows the `webview/context` menu for the row's context.
   */
  private onContextMenu(event: MouseEvent): void {
    const row = this.rowOf(event.target);
    const id = row?.dataset["id"];
    if (!row || id === undefined) return;
    if (this.callbacks.state().focusedId !== id) this.callbacks.onFocus(id);
  }

  private onFocusIn(event: FocusEvent): void {
    const row = this.rowOf(event.target);
    const id = row?.dataset["id"];
    if (id !== undefined && this.callbacks.state().focusedId !== id) this.callbacks.onFocus(id);
  }

  private onScrollEvent(): void {
    if (this.scrollFrame) return;
    this.scrollFrame = requestAnimationFrame(() => {
      this.scrollFrame = 0;
      this.render(Date.now());
      this.callbacks.onScroll(this.element.scrollTop);
    });
  }
}
