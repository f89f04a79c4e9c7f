import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import type { ChangeReview, ChangeScope, RevertPlan, RevertStep } from "../../core/changes/changeReview";
import { changeKind } from "../../core/changes/fileChange";
import type { Logger } from "../../core/common/logger";
import { ChangeDocuments } from "./changeDocuments";
import { restoreFile, workspaceUri } from "./workspaceRestorer";

/** What the tree's handlers and the palette commands may do with change sets; tests pass fakes. */
export interface ChangeActions {
  openDiff(agentId: string, path: string): Promise<void>;
  /** A quick pick of changed files (of the agent's subtree, or of every agent) that opens the chosen diff. */
  review(agentId?: string): Promise<void>;
  /** Reverts; without `agentId` the user picks the agent and the files first. */
  revert(agentId?: string, scope?: ChangeScope, path?: string): Promise<void>;
  keep(agentId: string, scope: ChangeScope, path?: string): void;
}

const REVERT_ALL = "Revert Anyway";
const SKIP_CHANGED = "Skip Those Files";

/** Change review on VS Code: diff editor, quick picks, modal confirmation, WorkspaceEdit restores. */
export class AgentChangeActions implements ChangeActions {
  constructor(
    private readonly changes: ChangeReview,
    private readonly controls: UserControls,
    private readonly logger: Logger,
    private readonly restore: (step: RevertStep) => Promise<void> = restoreFile,
  ) {}

  async openDiff(agentId: string, path: string): Promise<void> {
    const change = this.changes.find(agentId, path);
    if (!change) {
      void vscode.window.showInformationMessage(`${path} is no longer among the changes of ${this.nameOf(agentId)} (kept or reverted).`);
      return;
    }
    // While the file still holds the agent's text, the right side is the file itself (editable);
    // once someone changed it, the agent's own result is shown, read-only.
    const plan = await this.changes.planRevert(agentId, "agent", change.path);
    const current = plan.conflicts.length === 0 && change.after !== null;
    const right = current ? await workspaceUri(change.path) : ChangeDocuments.uri(agentId, change.path, "after");
    const title = `${change.path} (${this.nameOf(agentId)}: ${changeKind(change)})`;
    await vscode.commands.executeCommand("vscode.diff", ChangeDocuments.uri(agentId, change.path, "before"), right, title);
  }

  async review(agentId?: string): Promise<void> {
    const roots = agentId !== undefined ? [agentId] : this.controls.snapshot().filter((a) => a.parentId === null).map((a) => a.id);
    const files = roots.flatMap((id) => this.changes.list(id, "subtree"));
    if (files.length === 0) {
      void vscode.window.showInformationMessage("No agent has changed files that are still under review.");
      return;
    }
    const picked = await vscode.window.showQuickPick(
      files.map((f) => ({ label: f.change.path, description: `${changeKind(f.change)} by ${f.agentName}`, agentId: f.agentId })),
      { title: "Subagents: Review Agent Changes", placeHolder: "Pick a file to see the agent's change in the diff editor" },
    );
    if (picked) await this.openDiff(picked.agentId, picked.label);
  }

  async revert(agentId?: string, scope: ChangeScope = "subtree", path?: string): Promise<void> {
    if (agentId === undefined) {
      const target = await this.pickRevertTarget();
      if (!target) return;
      ({ agentId, scope, path } = target);
    }
    const name = this.nameOf(agentId);
    const plan = await this.changes.planRevert(agentId, scope, path);
    if (plan.steps.length === 0) {
      void vscode.window.showInformationMessage(`${name} has no changes to revert.`);
      return;
    }
    const steps = await this.confirmed(plan);
    if (steps.length === 0) return;
    const done: RevertStep[] = [];
    const failed: string[] = [];
    for (const step of steps) {
      try {
        await this.restore(step);
        done.push(step);
      } catch (error) {
        failed.push(error instanceof Error ? error.message : String(error));
      }
    }
    this.changes.reverted(done);
    this.logger.info(`reverted ${done.length} file(s) changed by ${name}${failed.length > 0 ? `; ${failed.length} failed` : ""}`);
    if (failed.length > 0) void vscode.window.showErrorMessage(`Reverted ${done.length} of ${steps.length} files. ${failed.join(" ")}`);
    else void vscode.window.showInformationMessage(`Reverted ${done.length} ${done.length === 1 ? "file" : "files"} changed by ${name}${scope === "subtree" ? " and its subagents" : ""}.`);
  }

  keep(agentId: string, scope: ChangeScope, path?: string): void {
    this.changes.keep(agentId, scope, path);
  }

  /** Files that changed since are reverted only when the user says so; the rest need no question (the edit can be undone). */
  private async confirmed(plan: RevertPlan): Promise<RevertStep[]> {
    if (plan.conflicts.length === 0) return plan.steps;
    const conflicted = new Set(plan.conflicts.map((c) => c.path));
    const others = plan.steps.filter((s) => !conflicted.has(s.path));
    const buttons = others.length > 0 ? [REVERT_ALL, SKIP_CHANGED] : [REVERT_ALL];
    const answer = await vscode.window.showWarningMessage(
      plan.conflicts.length === 1 ? "This file changed after the agent's change." : `${plan.conflicts.length} files changed after the agents' changes.`,
      { modal: true, detail: `${plan.conflicts.map((c) => c.message).join("\n")}\n\nRevert anyway?` },
      ...buttons,
    );
    if (answer === REVERT_ALL) return plan.steps;
    if (answer === SKIP_CHANGED) return others;
    return [];
  }

  private async pickRevertTarget(): Promise<{ agentId: string; scope: ChangeScope; path?: string } | undefined> {
    const agents = this.controls.snapshot().filter((a) => (a.subtreeChangedFiles ?? 0) > 0);
    if (agents.length === 0) {
      void vscode.window.showInformationMessage("No agent has changed files that are still under review.");
      return undefined;
    }
    const agent = await vscode.window.showQuickPick(
      agents.map((a) => ({ label: a.name, description: `±${a.subtreeChangedFiles} files${a.parentId === null ? "" : " (with its subagents)"}`, agentId: a.id })),
      { title: "Subagents: Revert Agent Changes", placeHolder: "Whose changes to revert" },
    );
    if (!agent) return undefined;
    const all = { label: `All files of ${agent.label}${this.changes.count(agent.agentId, "subtree") > this.changes.count(agent.agentId, "agent") ? " and its subagents" : ""}`, scope: "subtree" as const, path: undefined };
    const files = this.changes.list(agent.agentId, "subtree").map((f) => ({
      label: f.change.path,
      description: `${changeKind(f.change)} by ${f.agentName}`,
      scope: "agent" as const,
      path: f.change.path,
      owner: f.agentId,
    }));
    const choice = await vscode.window.showQuickPick([all, ...files], { title: `Revert changes of ${agent.label}`, placeHolder: "All files, or one" });
    if (!choice) return undefined;
    if (choice.path === undefined) return { agentId: agent.agentId, scope: "subtree" };
    return { agentId: "owner" in choice ? choice.owner : agent.agentId, scope: "agent", path: choice.path };
  }

  private nameOf(agentId: string): string {
    return this.controls.get(agentId)?.name ?? agentId;
  }
}
