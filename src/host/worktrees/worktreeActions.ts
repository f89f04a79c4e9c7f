import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import type { WorktreeInfo } from "../../core/isolation/agentWorkspaces";
import type { Logger } from "../../core/common/logger";
import type { GitWorktrees } from "./gitWorktrees";

/** What the supervisor offers for an isolated agent's worktree. */
export interface WorktreeControls {
  requireWorktreeIdle(agentId: string): WorktreeInfo;
  worktreeEnded(agentId: string): void;
}

/** Merge/Discard as the tree's handlers and the palette commands call them; tests pass fakes. */
export interface WorktreeActionsApi {
  /** Without `agentId` the user picks one of the agents that have a worktree. */
  merge(agentId?: string): Promise<void>;
  discard(agentId?: string): Promise<void>;
}

const DISCARD = "Discard";

/** Merge and Discard of isolated agents' worktrees, with VS Code's pickers and messages. */
export class WorktreeActions implements WorktreeActionsApi {
  constructor(
    private readonly controls: UserControls & WorktreeControls,
    private readonly worktrees: () => GitWorktrees | undefined,
    private readonly logger: Logger,
  ) {}

  async merge(agentId?: string): Promise<void> {
    const target = agentId ?? (await this.pick("Merge"));
    if (target === undefined) return;
    const { git, info, name } = this.prepare(target);
    const outcome = await git.merge({ agentId: target, ...info });
    this.controls.worktreeEnded(target);
    this.logger.info(`merged the worktree of ${target}: ${outcome.files.length} file(s), ${outcome.conflicts.length} conflict(s)`);
    if (outcome.conflicts.length > 0) {
      void vscode.window.showWarningMessage(
        `Merged the changes of ${name} with conflicts in ${outcome.conflicts.join(", ")}. Resolve the conflict markers (Source Control lists the files and opens the merge editor).`,
      );
    } else {
      void vscode.window.showInformationMessage(
        outcome.files.length === 0 ? `${name} changed no files; its worktree was removed.` : `Merged ${outcome.files.length} ${outcome.files.length === 1 ? "file" : "files"} changed by ${name} into the workspace.`,
      );
    }
  }

  async discard(agentId?: string): Promise<void> {
    const target = agentId ?? (await this.pick("Discard"));
    if (target === undefined) return;
    const { git, info, name } = this.prepare(target);
    const answer = await vscode.window.showWarningMessage(
      `Discard the worktree of ${name}?`,
      { modal: true, detail: `Its branch ${info.branch} and every change in it are deleted; the workspace stays as it is.` },
      DISCARD,
    );
    if (answer !== DISCARD) return;
    await git.discard({ agentId: target, ...info });
    this.controls.worktreeEnded(target);
    void vscode.window.showInformationMessage(`Discarded the worktree of ${name}.`);
  }

  private prepare(agentId: string): { git: GitWorktrees; info: WorktreeInfo; name: string } {
    if (!vscode.workspace.isTrusted) throw new Error("Refused: this workspace is not trusted (Restricted Mode), so git is not run in it. Trust the folder, then merge or discard.");
    const info = this.controls.requireWorktreeIdle(agentId);
    const git = this.worktrees();
    if (!git) throw new Error("No folder is open in this window, so the worktree cannot be merged or discarded here.");
    return { git, info, name: this.controls.get(agentId)?.name ?? agentId };
  }

  private async pick(verb: string): Promise<string | undefined> {
    const agents = this.controls.snapshot().filter((a) => a.worktree !== undefined);
    if (agents.length === 0) {
      void vscode.window.showInformationMessage("No agent has a worktree to merge or discard.");
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      agents.map((a) => ({ label: a.name, description: `${a.worktree?.branch ?? ""} · ${a.status}`, agentId: a.id })),
      { title: `Subagents: ${verb} Agent Worktree`, placeHolder: "Which agent's worktree" },
    );
    return picked?.agentId;
  }
}
