import type { KeyPoolSummary } from "../src/core/protocol/agentSnapshot";
import {
  parseHostMessage,
  type HostToWebviewMessage,
  type NoticeMessage,
  type OpenPromptMessage,
  type PatchMessage,
  type SnapshotMessage,
  type WebviewToHostMessage,
} from "../src/core/protocol/messages";
import { actionEffect, availableActions, type AgentActionId } from "../src/core/protocol/agentActions";
import { AgentStore, flattenTree, type FlatRow } from "./model/agentStore";
import { reduceViewState, type ViewAction, type ViewState } from "./model/viewState";
import type { HostChannel } from "./vscodeApi";
import { DetailPane } from "./view/detailPane";
import { el } from "./view/dom";
import { EmptyState } from "./view/emptyState";
import { Notices } from "./view/notices";
import { InlinePrompt, type PromptAnswer, type PromptRequest } from "./view/prompt";
import { Toolbar } from "./view/toolbar";
import { TreeView } from "./view/treeView";

type HostHandlers = { [K in HostToWebviewMessage["type"]]: (message: Extract<HostToWebviewMessage, { type: K }>) => void };

/**
 * The webview app: keeps the agents (from the host) and the UI state (from
 * getState), and renders both once per animation frame however many messages
 * arrived in between.
 */
export class AgentTreeApp {
  private readonly store = new AgentStore();
  private state: ViewState;
  private rows: readonly FlatRow[] = [];
  private flattened = { structure: -1, collapsed: undefined as readonly string[] | undefined };
  private keys: readonly KeyPoolSummary[] = [];
  private spawningPaused = false;
  private connected = false;
  private lastSeq = -1;
  private frame = 0;
  private lastFocusIndex = 0;
  private scrollRestored = false;
  private readonly tree: TreeView;
  private readonly detail: DetailPane;
  private readonly toolbar: Toolbar;
  private readonly empty: EmptyState;
  private readonly notices = new Notices();
  private readonly prompt: InlinePrompt;
  private readonly handlers: HostHandlers = {
    snapshot: (message) => this.onSnapshot(message),
    patch: (message) => this.onPatch(message),
    notice: (message) => this.onNotice(message),
    openPrompt: (message) => this.onOpenPrompt(message),
  };

  constructor(
    private readonly root: HTMLElement,
    private readonly host: HostChannel,
  ) {
    this.state = host.loadState();
    this.tree = new TreeView(this.store, {
      state: () => this.state,
      onFocus: (id) => this.dispatch({ type: "focus", id }),
      onSelect: (id) => {
        this.dispatch({ type: "select", id });
        this.dispatch({ type: "setDetailOpen", open: true });
      },
      onSetExpanded: (id, expanded) => this.dispatch({ type: "setExpanded", id, expanded }),
      onAction: (action, id, button) => this.runAction(action, id, button),
      onScroll: (top) => this.dispatch({ type: "scroll", top }),
    });
    this.detail = new DetailPane(this.store, {
      onAction: (action, id, button) => this.runAction(action, id, button),
      onPost: (message) => this.host.post(message),
      onClose: () => {
        this.dispatch({ type: "setDetailOpen", open: false });
        if (this.state.focusedId !== null) this.tree.focusRow(this.state.focusedId, Date.now());
      },
    });
    const onCommand = (command: (WebviewToHostMessage & { type: "runCommand" })["command"]): void =>
      this.host.post({ type: "runCommand", command });
    this.toolbar = new Toolbar({ onCommand, onSetSpawningPaused: (paused) => this.host.post({ type: "setSpawningPaused", paused }) });
    this.empty = new EmptyState(onCommand);
    this.prompt = new InlinePrompt((request, answer) => this.answerPrompt(request, answer));
    const connecting = el("p", { className: "connecting muted" }, "Loading agents…");
    root.append(
      this.toolbar.element,
      this.notices.element,
      this.prompt.element,
      el("div", { className: "main" }, connecting, this.empty.element, this.tree.element),
      this.detail.element,
    );
  }

  /** Starts listening, then tells the host it may send (it waits for this `ready`). */
  start(): void {
    window.addEventListener("message", (event: MessageEvent<unknown>) => this.onHostMessage(event.data));
    window.addEventListener("resize", () => this.scheduleRender());
    window.setInterval(() => this.tick(), 1000);
    this.host.post({ type: "ready" });
  }

  private onHostMessage(raw: unknown): void {
    const parsed = parseHostMessage(raw);
    if (!parsed.ok) {
      console.warn(`Subagents: ignored a malformed message from the host (${parsed.error})`);
      return;
    }
    const message = parsed.message;
    (this.handlers[message.type] as (m: HostToWebviewMessage) => void)(message);
  }

  private onSnapshot(message: SnapshotMessage): void {
    this.lastSeq = message.seq;
    this.connected = true;
    this.store.applySnapshot(message.agents, message.hostNow, Date.now());
    this.keys = message.keys;
    this.spawningPaused = message.spawningPaused;
    this.dispatch({ type: "prune", exists: (id) => this.store.has(id) });
    this.scheduleRender();
  }

  private onPatch(message: PatchMessage): void {
    if (message.seq !== this.lastSeq + 1) {
      // A lost message means our copy may be wrong: ask for a fresh snapshot.
      this.host.post({ type: "ready" });
    }
    this.lastSeq = message.seq;
    this.store.applyPatch(message.upserts, message.removed, message.hostNow, Date.now());
    if (message.keys) this.keys = message.keys;
    if (message.spawningPaused !== undefined) this.spawningPaused = message.spawningPaused;
    if (message.removed.length > 0) this.dispatch({ type: "prune", exists: (id) => this.store.has(id) });
    this.scheduleRender();
  }

  private onNotice(message: NoticeMessage): void {
    this.notices.show(message.level, message.message);
  }

  /** "Set Timeout…" or "Send Message…" chosen in the row's native context menu (a host command). */
  private onOpenPrompt(message: OpenPromptMessage): void {
    const agent = this.store.get(message.agentId);
    if (!agent) return;
    this.prompt.open({
      kind: message.prompt,
      agentId: agent.id,
      agentName: agent.name,
      returnFocus: () => {
        if (this.tree.indexOf(agent.id) >= 0) this.tree.focusRow(agent.id, Date.now());
      },
    });
  }

  private dispatch(action: ViewAction): void {
    const next = reduceViewState(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.host.saveState(next);
    // User input renders at once (the next key press sees its effect); host updates wait for a frame.
    if (action.type === "scroll" || action.type === "prune") return;
    if (action.type === "focus") this.scheduleRender();
    else this.renderNow();
  }

  private renderNow(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  private scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const now = Date.now();
    if (this.flattened.structure !== this.store.structureVersion || this.flattened.collapsed !== this.state.collapsed) {
      this.rows = flattenTree(this.store, new Set(this.state.collapsed));
      this.flattened = { structure: this.store.structureVersion, collapsed: this.state.collapsed };
      this.tree.setRows(this.rows);
    }
    const treeHadFocus = this.tree.element.contains(document.activeElement);
    this.keepFocusVisible();
    // The detail pane first: opening it shrinks the tree, and the selected row must stay in view.
    const selected = this.state.selectedId === null ? undefined : this.store.get(this.state.selectedId);
    const detailWasShown = !this.detail.element.hidden;
    this.detail.update(this.state.detailOpen ? selected : undefined, now);
    if (!detailWasShown && !this.detail.element.hidden && selected) this.tree.reveal(selected.id);
    if (!this.scrollRestored && this.connected && this.rows.length > 0) {
      this.scrollRestored = true;
      this.tree.scrollTo(this.state.scrollTop);
    }
    this.tree.render(now);
    // A removed row took keyboard focus with it: give it to the row that took its place.
    if (treeHadFocus && !this.tree.element.contains(document.activeElement) && this.state.focusedId !== null) {
      this.tree.focusRow(this.state.focusedId, now);
    }
    this.toolbar.update({ keys: this.keys, spawningPaused: this.spawningPaused, counts: this.store.countByStatus() });
    this.root.classList.toggle("connected", this.connected);
    this.empty.update(this.connected && this.store.size === 0, this.keys.some((k) => k.healthy + k.cooling + k.invalid > 0));
    this.tree.element.hidden = this.store.size === 0;
  }

  /** Focus never points at a hidden or removed row: fall back to its visible ancestor or its old position. */
  private keepFocusVisible(): void {
    const focused = this.state.focusedId;
    if (focused !== null && this.tree.indexOf(focused) >= 0) {
      this.lastFocusIndex = this.tree.indexOf(focused);
      return;
    }
    if (this.rows.length === 0) return;
    const ancestors = focused === null ? [] : this.store.ancestorsOf(focused);
    const visibleAncestor = [...ancestors].reverse().find((id) => this.tree.indexOf(id) >= 0);
    const fallback = visibleAncestor ?? this.tree.rowIdAt(Math.min(this.lastFocusIndex, this.rows.length - 1));
    if (fallback !== undefined) this.state = reduceViewState(this.state, { type: "focus", id: fallback });
  }

  private tick(): void {
    const now = Date.now();
    this.tree.tick(now);
    this.detail.tick(now);
  }

  private runAction(action: AgentActionId, id: string, origin: HTMLElement): void {
    const agent = this.store.get(id);
    if (!agent || !availableActions(agent).includes(action)) {
      this.notices.show("info", "That action is no longer available for this agent.");
      return;
    }
    const effect = actionEffect(action, agent);
    if (effect.kind === "post") this.host.post(effect.message);
    else this.prompt.open({ kind: effect.prompt, agentId: id, agentName: agent.name, returnFocus: () => this.returnFocus(origin, id) });
  }

  /** Back to the control that started an action; if a re-render replaced it, to its agent's row. */
  private returnFocus(origin: HTMLElement, id: string): void {
    if (origin.isConnected) origin.focus({ preventScroll: true });
    else if (this.tree.indexOf(id) >= 0) this.tree.focusRow(id, Date.now());
  }

  private answerPrompt(request: PromptRequest, answer: PromptAnswer): string | undefined {
    const agent = this.store.get(request.agentId);
    if (!agent) return `${request.agentName} no longer exists.`;
    if (answer.kind === "timeout") {
      if (!availableActions(agent).includes("setTimeout")) return `${agent.name} has already finished.`;
      this.host.post({ type: "setTimeout", agentId: agent.id, seconds: answer.seconds });
    } else {
      this.host.post({ type: "sendMessage", agentId: agent.id, message: answer.message });
    }
    return undefined;
  }
}
