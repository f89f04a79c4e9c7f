import * as nodePath from "node:path";
import * as vscode from "vscode";
import type { WorktreeInfo, WorktreeProvider } from "../../core/isolation/agentWorkspaces";
import type { SecretRedactor } from "../../core/keys/redact";
import type { Settings } from "../../core/settings/schema";
import { redactingWorkspaceTools } from "../../core/tools/redactingWorkspaceTools";
import type { WorkspaceTools } from "../../core/tools/workspaceTools";
import { VscodeWorkspaceTools } from "../tools/vscodeWorkspaceTools";
import type { GitWorktrees } from "./gitWorktrees";

/**
 * Worktrees for the supervisor: created by git in the first workspace
 * folder, and workspace tools rooted in one (same limits, redaction and
 * approval as the workspace's own tools, only a different folder).
 */
export function createWorktreeProvider(options: {
  worktrees: () => GitWorktrees | undefined;
  settings: () => Settings;
  ripgrepPath: string | undefined;
  redactor: SecretRedactor;
}): WorktreeProvider {
  return {
    async create(agent): Promise<WorktreeInfo> {
      // git reads the repository's own config (filters, hooks paths); only a trusted workspace gets to run it.
      if (!vscode.workspace.isTrusted) throw new Error("Refused: this workspace is not trusted (Restricted Mode), so no git worktree is created in it.");
      const git = options.worktrees();
      if (!git) throw new Error("Worktree isolation needs a folder open in the window; open the repository's folder, or spawn the agent without isolation.");
      const created = await git.create(agent.id, agent.name);
      return { path: created.path, branch: created.branch, base: created.base };
    },
    toolsAt(path: string): WorkspaceTools {
      const tools = new VscodeWorkspaceTools({
        settings: options.settings,
        ripgrepPath: options.ripgrepPath,
        roots: () => [{ name: nodePath.basename(path), fsPath: path }],
      });
      return redactingWorkspaceTools(tools, options.redactor);
    },
  };
}
