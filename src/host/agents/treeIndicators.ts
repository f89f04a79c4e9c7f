import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { Disposable } from "../../core/common/disposable";
import type { Event } from "../../core/common/emitter";
import type { KeyPoolSummary } from "../../core/protocol/agentSnapshot";
import { AGENT_TREE_VIEW_ID } from "../commandIds";
import { contextKeyValues, statusBarModel, type ContextKeyValues } from "./statusSummary";

/** The tree changes on every streamed chunk; indicators need not follow faster than this. */
const UPDATE_DELAY_MS = 250;

/**
 * Status bar item (running/queued agents, healthy keys) and the `when`-clause
 * context keys, both derived from the tree and updated at most every 250 ms.
 */
export class TreeIndicators extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastContext: Partial<ContextKeyValues> = {};

  constructor(
    private readonly supervisor: UserControls,
    private readonly keySummary: () => readonly KeyPoolSummary[],
    onDidChangeKeys: Event<void>,
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem("subagents.status", vscode.StatusBarAlignment.Left, 50));
    this.item.name = "Subagents";
    this.item.command = `${AGENT_TREE_VIEW_ID}.focus`;
    this.register(supervisor.onDidChange(() => this.schedule()));
    this.register(onDidChangeKeys(() => this.schedule()));
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.update();
    this.item.show();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, UPDATE_DELAY_MS);
  }

  update(): void {
    if (this.isDisposed) return;
    const agents = this.supervisor.snapshot();
    const model = statusBarModel(agents, this.keySummary(), this.supervisor.spawningPaused);
    this.item.text = model.text;
    this.item.tooltip = model.tooltip;
    this.item.backgroundColor = model.attention ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;

    const values = contextKeyValues(agents);
    for (const [key, value] of Object.entries(values) as Array<[keyof ContextKeyValues, boolean]>) {
      if (this.lastContext[key] === value) continue;
      this.lastContext[key] = value;
      void vscode.commands.executeCommand("setContext", key, value);
    }
  }
}
