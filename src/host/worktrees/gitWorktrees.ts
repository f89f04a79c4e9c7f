import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, realpathSync } from "node:fs";
import * as nodePath from "node:path";
import type { Logger } from "../../core/common/logger";

/** Where one isolated agent works: its own checkout on its own branch, from `base`. */
export interface AgentWorktree {
  agentId: string;
  path: string;
  branch: string;
  /** The commit the worktree started from; the agent's diff is taken against it. */
  base: string;
}

export interface MergeOutcome {
  /** Files the agent's diff touched. */
  files: string[];
  /** Files left with conflict markers (empty when the diff applied cleanly). */
  conflicts: string[];
}

/** A refusal a user can act on: not a repository, no commit yet, git missing. */
export class WorktreeError extends Error {
  override readonly name = "WorktreeError";
}

/**
 * The workspace's git config is not trusted: hooks and the fsmonitor are
 * switched off for every call, external diff drivers and text conversion
 * for diffs. (Agents only run in trusted workspaces in the first place.)
 */
const SAFE_CONFIG = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "core.pager=cat"];

function git(cwd: string, args: readonly string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      [...SAFE_CONFIG, ...args],
      { cwd, maxBuffer: 256 * 1024 * 1024, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } },
      (error, stdout, stderr) => {
        if (error && typeof (error as NodeJS.ErrnoException).code === "string") {
          reject(new WorktreeError(`git could not be started (${(error as NodeJS.ErrnoException).code}); install git to use worktree isolation.`));
          return;
        }
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function gitOk(cwd: string, args: readonly string[], what: string): Promise<string> {
  const result = await git(cwd, args);
  if (result.code !== 0) throw new WorktreeError(`${what} failed: ${result.stderr.trim() || `git exited with ${result.code}`}`);
  return result.stdout;
}

/** A folder name for an agent id; ids that are not plain get a hash so no id can name a path. */
export function worktreeFolderName(agentId: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(agentId) ? agentId : createHash("sha256").update(agentId).digest("hex").slice(0, 32);
}

/** `subagents/<name>-<id>`: readable in `git branch`, unique per agent, always a valid ref name. */
export function worktreeBranch(agentId: string, agentName: string): string {
  const slug = agentName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "agent";
  return `subagents/${slug}-${worktreeFolderName(agentId).slice(0, 12)}`;
}

/**
 * Git worktrees for agents that run isolated: created under the extension's
 * storage (never inside the workspace), merged into the workspace as a diff
 * against the commit they started from, discarded, and swept at activation
 * when a crash left one behind.
 */
export class GitWorktrees {
  constructor(
    private readonly workspaceRoot: string,
    private readonly storageDirectory: string,
    private readonly logger: Logger,
  ) {}

  private get directory(): string {
    return nodePath.join(this.storageDirectory, "worktrees");
  }

  async create(agentId: string, agentName: string): Promise<AgentWorktree> {
    const top = await git(this.workspaceRoot, ["rev-parse", "--show-toplevel"]);
    if (top.code !== 0) {
      throw new WorktreeError(
        `Worktree isolation needs a git repository, and ${this.workspaceRoot} is not one. Run "git init" and commit, or spawn the agent without isolation.`,
      );
    }
    const head = await git(this.workspaceRoot, ["rev-parse", "--verify", "HEAD^{commit}"]);
    if (head.code !== 0) {
      throw new WorktreeError("Worktree isolation needs at least one commit to start from; commit once, or spawn the agent without isolation.");
    }
    const base = head.stdout.trim();
    mkdirSync(this.directory, { recursive: true });
    const path = nodePath.join(realpathSync(this.directory), worktreeFolderName(agentId));
    const branch = worktreeBranch(agentId, agentName);
    await gitOk(this.workspaceRoot, ["worktree", "add", "--quiet", "-b", branch, path, base], `Creating the worktree of ${agentName}`);
    this.logger.info(`worktree for ${agentId} at ${path} on ${branch}`);
    return { agentId, path, branch, base };
  }

  /**
   * Applies the agent's changes (committed or not) to the workspace. A diff
   * that applies cleanly changes only the working tree; otherwise git's
   * three-way apply leaves conflict markers in the files it lists. The
   * worktree and its branch are removed either way, the changes now being in
   * the workspace.
   */
  async merge(worktree: AgentWorktree): Promise<MergeOutcome> {
    await gitOk(worktree.path, ["add", "--all"], "Collecting the agent's changes");
    const patch = await gitOk(
      worktree.path,
      ["diff", "--cached", "--binary", "--no-ext-diff", "--no-textconv", "--no-color", worktree.base],
      "Diffing the agent's changes",
    );
    const files = (await gitOk(worktree.path, ["diff", "--cached", "--name-only", "--no-ext-diff", "-z", worktree.base], "Listing the agent's changes"))
      .split("\0")
      .filter((f) => f !== "");
    if (patch.trim() === "") {
      await this.discard(worktree);
      return { files: [], conflicts: [] };
    }
    const clean = await git(this.workspaceRoot, ["apply", "--check", "--whitespace=nowarn", "-"], patch);
    let conflicts: string[] = [];
    if (clean.code === 0) {
      await this.apply(["apply", "--whitespace=nowarn", "-"], patch);
    } else {
      const threeWay = await git(this.workspaceRoot, ["apply", "--3way", "--whitespace=nowarn", "-"], patch);
      conflicts = [...threeWay.stderr.matchAll(/^U (.+)$/gm), ...threeWay.stderr.matchAll(/Applied patch to '(.+)' with conflicts/g)].map((m) => m[1]!);
      conflicts = [...new Set(conflicts)];
      if (threeWay.code !== 0 && conflicts.length === 0) {
        throw new WorktreeError(`The agent's changes do not apply to the workspace: ${threeWay.stderr.trim()}. The worktree is kept at ${worktree.path}.`);
      }
    }
    await this.discard(worktree);
    return { files, conflicts };
  }

  /** Removes the worktree and its branch; what the agent did there is gone. */
  async discard(worktree: AgentWorktree): Promise<void> {
    const removed = await git(this.workspaceRoot, ["worktree", "remove", "--force", worktree.path]);
    if (removed.code !== 0) this.logger.warn(`could not remove the worktree ${worktree.path}: ${removed.stderr.trim()}`);
    await git(this.workspaceRoot, ["worktree", "prune"]);
    if (worktree.branch === "") return;
    const branch = await git(this.workspaceRoot, ["branch", "-D", worktree.branch]);
    if (branch.code !== 0) this.logger.warn(`could not delete the branch ${worktree.branch}: ${branch.stderr.trim()}`);
  }

  /**
   * Removes the worktrees under the extension's storage whose agent is not in
   * `keep` (left behind by a crash or a cleared tree); returns their paths.
   */
  async sweep(keepAgentIds: ReadonlySet<string>): Promise<string[]> {
    // No folder, no worktree was ever made here: nothing to ask git.
    let root: string;
    try {
      root = realpathSync(this.directory);
    } catch {
      return [];
    }
    const listed = await git(this.workspaceRoot, ["worktree", "list", "--porcelain"]);
    if (listed.code !== 0) return [];
    const keep = new Set([...keepAgentIds].map(worktreeFolderName));
    const swept: string[] = [];
    for (const block of listed.stdout.split("\n\n")) {
      const path = /^worktree (.+)$/m.exec(block)?.[1];
      const branch = /^branch refs\/heads\/(.+)$/m.exec(block)?.[1];
      if (!path || nodePath.dirname(path) !== root || keep.has(nodePath.basename(path))) continue;
      await this.discard({ agentId: nodePath.basename(path), path, branch: branch ?? "", base: "" });
      swept.push(path);
    }
    if (swept.length > 0) this.logger.info(`swept ${swept.length} worktree(s) left behind: ${swept.join(", ")}`);
    return swept;
  }

  private async apply(args: readonly string[], patch: string): Promise<void> {
    const result = await git(this.workspaceRoot, args, patch);
    if (result.code !== 0) throw new WorktreeError(`Applying the agent's changes failed: ${result.stderr.trim()}`);
  }
}
